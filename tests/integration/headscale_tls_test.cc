// The Headscale source speaks TLS with verification on: against a real TLS server (openssl
// s_server on loopback, a self-signed certificate made here) it refuses the connection until
// ca_file names that certificate.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kKey = "hskey-api-abcdefabcdef-0123456789abcdef0123456789abcdef";

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 0;
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

std::string LastError(const SidecarProcess& sidecar) {
  auto reply = sidecar.Get("/v1/sources");
  if (!reply) return "";
  rapidjson::Document document;
  document.Parse(reply->body.c_str());
  for (const auto& source : document["sources"].GetArray()) {
    if (std::string(source["name"].GetString()) == "headscale" && source["last_error"].IsString()) {
      return source["last_error"].GetString();
    }
  }
  return "";
}

std::string WaitForError(const SidecarProcess& sidecar) {
  for (int i = 0; i < 100 && LastError(sidecar).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return LastError(sidecar);
}

TEST(HeadscaleTlsTest, TheCertificateIsVerifiedAndCaFileTrustsOne) {
  TestDirectory directory;
  ProcessResult made = RunCommand(
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", directory / "key.pem", "-out", directory / "cert.pem", "-days", "1",
       "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  if (made.exit_code != 0) {
    if (IntegrationRequired()) FAIL() << "needs openssl: " << made.err;
    GTEST_SKIP() << "needs openssl";
  }
  const std::string port = std::to_string(FreePort());
  BackgroundCommand server({"openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert",
                            directory / "cert.pem", "-key", directory / "key.pem", "-www",
                            "-quiet"});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto config = [&](const std::string& extra) {
    return "[registry]\nstartup_deadline = \"0s\"\n[self]\ndetect_interfaces = false\n"
           "[sources.env]\nenabled = false\n[sources.tailscale]\nenabled = false\n"
           "[sources.headscale]\nurl = \"https://127.0.0.1:" +
           port + "\"\npoll_interval = \"200ms\"\n" + extra;
  };
  TestDirectory untrusting_dir;
  SidecarProcess untrusting(untrusting_dir, {config(""), {{"HEADSCALE_API_KEY", kKey}}, {}});
  ASSERT_TRUE(untrusting.WaitUntilHealthy()) << untrusting.Log();
  EXPECT_THAT(WaitForError(untrusting), HasSubstr("certificate"));

  TestDirectory trusting_dir;
  SidecarProcess trusting(trusting_dir, {config("ca_file = \"" + (directory / "cert.pem") + "\"\n"),
                                         {{"HEADSCALE_API_KEY", kKey}},
                                         {}});
  ASSERT_TRUE(trusting.WaitUntilHealthy()) << trusting.Log();
  // Through TLS: what answers is no Headscale, and the error says so.
  EXPECT_THAT(WaitForError(trusting), HasSubstr("not valid JSON"));
  for (const SidecarProcess* sidecar : {&untrusting, &trusting}) {
    EXPECT_THAT(sidecar->Log(), Not(HasSubstr(kKey)));
    EXPECT_THAT(sidecar->Get("/v1/sources")->body, Not(HasSubstr(kKey)));
  }
}

}  // namespace
}  // namespace peerscout::testing

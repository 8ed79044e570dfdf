#include "sidecar/output/template_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "sidecar/output/atomic_file.h"
#include "sidecar/system/whole_file.h"

namespace peerscout {
namespace {

class TemplateFilesTest : public ::testing::Test {
 protected:
  TemplateFilesTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("peerscout-tpl-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  ~TemplateFilesTest() override { std::filesystem::remove_all(dir_); }

  TemplateConfig Template(const std::string& text) {
    TemplateConfig config;
    config.source = "peers.tmpl";
    config.destination = (dir_ / "peers.conf").string();
    config.text = *PeerTemplate::Parse(text);
    config.mode = 0640;
    return config;
  }

  static PeerSet Peers(uint64_t version, const std::string& address) {
    Peer peer;
    peer.id = address;
    peer.addresses.push_back({*ParseHostPort(address), AddressKind::kLan, {"env"}});
    return PeerSet{version, {peer}};
  }

  std::string Read() const {
    std::string bytes;
    ReadWholeFile((dir_ / "peers.conf").string(), bytes);
    return bytes;
  }

  std::filesystem::path dir_;
};

TEST_F(TemplateFilesTest, ReplacesTheFileOnlyWhenTheBytesChange) {
  TemplateFiles files({Template("{{#peers}}server {{id}};\n{{/peers}}")});
  auto results = files.Write(Peers(2, "10.0.0.2:1"));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].replaced);
  EXPECT_EQ(results[0].error, "");
  EXPECT_EQ(Read(), "server 10.0.0.2:1;\n");
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "peers.conf").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
  // A new version the template does not show: same bytes, nothing replaced.
  EXPECT_FALSE(files.Write(Peers(3, "10.0.0.2:1"))[0].replaced);
  EXPECT_TRUE(files.Write(Peers(4, "10.0.0.3:1"))[0].replaced);
  EXPECT_EQ(Read(), "server 10.0.0.3:1;\n");
}

TEST_F(TemplateFilesTest, ARestartWithTheSameBytesReplacesNothing) {
  TemplateFiles({Template("{{{lines}}}")}).Write(Peers(2, "10.0.0.2:1"));
  TemplateFiles again({Template("{{{lines}}}")});
  EXPECT_FALSE(again.Write(Peers(9, "10.0.0.2:1"))[0].replaced);
  // A changed template is a change even with the same peers.
  TemplateFiles changed({Template("peers={{{lines}}}")});
  EXPECT_TRUE(changed.Write(Peers(9, "10.0.0.2:1"))[0].replaced);
  EXPECT_EQ(Read(), "peers=10.0.0.2:1");
}

TEST_F(TemplateFilesTest, AFailedWriteKeepsTheOldFileAndIsRetried) {
  TemplateConfig config = Template("{{{lines}}}");
  config.destination = (dir_ / "sub" / "peers.conf").string();
  TemplateFiles files({config});
  // A file where the directory should be: the write fails.
  std::filesystem::create_directories(dir_);
  WriteFileAtomically((dir_ / "sub").string(), "blocker", 0644);
  auto failed = files.Write(Peers(2, "10.0.0.2:1"));
  EXPECT_FALSE(failed[0].replaced);
  EXPECT_NE(failed[0].error, "");
  std::filesystem::remove(dir_ / "sub");
  // Same peers as the failed attempt: written now, because the failure is remembered.
  auto retried = files.Write(Peers(2, "10.0.0.2:1"));
  EXPECT_TRUE(retried[0].replaced) << retried[0].error;
}

}  // namespace
}  // namespace peerscout

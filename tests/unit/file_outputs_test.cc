#include "sidecar/output/file_outputs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>

#include "sidecar/output/atomic_file.h"
#include "sidecar/render/format.h"
#include "sidecar/render/peer_filter.h"
#include "sidecar/system/whole_file.h"

namespace peerscout {
namespace {

class FileOutputsTest : public ::testing::Test {
 protected:
  FileOutputsTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("peerscout-out-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  ~FileOutputsTest() override { std::filesystem::remove_all(dir_); }

  OutputConfig Output(const std::string& name, const std::string& format) {
    OutputConfig output;
    output.path = (dir_ / name).string();
    output.format = FindFormat(format);
    output.mode = 0640;
    return output;
  }

  static std::shared_ptr<const PeerSet> Peers(uint64_t version, const std::string& address) {
    Peer peer;
    peer.id = address;
    peer.addresses.push_back({*ParseHostPort(address), AddressKind::kLan, {"env"}});
    return std::make_shared<const PeerSet>(PeerSet{version, {peer}});
  }

  static std::string Read(const std::string& path) {
    std::string bytes;
    ReadWholeFile(path, bytes);
    return bytes;
  }

  std::filesystem::path dir_;
};

TEST_F(FileOutputsTest, WritesOnlyWhenTheBytesChange) {
  FileOutputs outputs({Output("peers.json", "json"), Output("peers.exo", "exo")});
  EXPECT_EQ(outputs.Write(Peers(2, "10.0.0.2:1")), 2u);
  EXPECT_EQ(Read((dir_ / "peers.exo").string()), "/ip4/10.0.0.2/tcp/1");
  // A new version with the same peers: the json (which carries the version) changes, exo not.
  EXPECT_EQ(outputs.Write(Peers(3, "10.0.0.2:1")), 1u);
  EXPECT_EQ(outputs.Write(Peers(3, "10.0.0.2:1")), 0u);
  EXPECT_EQ(outputs.counters().writes, 3u);
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "peers.exo").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

// The json outputs are rendered incrementally: each version's file is still RenderJson's bytes.
TEST_F(FileOutputsTest, JsonOutputsHoldTheFullRender) {
  OutputConfig online = Output("online.json", "json");
  online.filter.online = true;
  FileOutputs outputs({Output("peers.json", "json"), online});
  PeerSet set{1, {Peers(1, "10.0.0.2:1")->peers[0], Peers(1, "10.0.0.3:1")->peers[0]}};
  for (uint64_t version = 1; version <= 4; ++version) {
    set.version = version;
    set.peers[version % 2].online = !set.peers[version % 2].online;
    outputs.Write(std::make_shared<const PeerSet>(set));
    EXPECT_EQ(Read((dir_ / "peers.json").string()), RenderJson(set, {}));
    EXPECT_EQ(Read((dir_ / "online.json").string()),
              RenderJson(FilterPeers(set, online.filter), {}));
  }
}

TEST_F(FileOutputsTest, ARestartWithTheSamePeersRewritesNothing) {
  FileOutputs({Output("peers.exo", "exo")}).Write(Peers(2, "10.0.0.2:1"));
  FileOutputs again({Output("peers.exo", "exo")});
  EXPECT_EQ(again.Write(Peers(9, "10.0.0.2:1")), 0u);
}

TEST_F(FileOutputsTest, AFailedWriteIsCountedCleanedUpAndRetried) {
  FileOutputs outputs({Output("peers.exo", "exo")});
  const std::filesystem::path path = dir_ / "peers.exo";
  outputs.Write(Peers(2, "10.0.0.2:1"));
  // A directory where the file should be: the rename fails, even for root.
  std::filesystem::remove(path);
  std::filesystem::create_directories(path / "blocker");
  EXPECT_EQ(outputs.Write(Peers(3, "10.0.0.3:1")), 0u);
  EXPECT_EQ(outputs.counters().errors, 1u);
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_))
    entries += entry.path() != path;
  EXPECT_EQ(entries, 0u);  // the temporary file is gone
  std::filesystem::remove_all(path);
  // Same peers as the failed attempt: still written, because the failure is remembered.
  EXPECT_EQ(outputs.Write(Peers(3, "10.0.0.3:1")), 1u);
  EXPECT_EQ(Read(path.string()), "/ip4/10.0.0.3/tcp/1");
}

TEST_F(FileOutputsTest, AtomicWriteLeavesNoTemporaryFiles) {
  const std::string path = (dir_ / "sub" / "f").string();
  EXPECT_EQ(WriteFileAtomically(path, "one", 0600), "");
  EXPECT_EQ(WriteFileAtomically(path, "two", 0600), "");
  EXPECT_EQ(Read(path), "two");
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "sub")) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);
  EXPECT_NE(WriteFileAtomically("/proc/peerscout-cannot/f", "x", 0600), "");
}

}  // namespace
}  // namespace peerscout

#include "sidecar/core/service_status.h"

#include <gtest/gtest.h>

namespace peerscout {
namespace {

SourceStatus Ok(const std::string& name) {
  SourceStatus source;
  source.name = name;
  source.last_success = Clock::now();
  source.successes = 1;
  return source;
}

SourceStatus Failing(const std::string& name, bool stale) {
  SourceStatus source = Ok(name);
  source.last_error_at = *source.last_success + std::chrono::seconds(1);
  source.last_error = "down";
  source.errors = 1;
  source.stale = stale;
  return source;
}

SourceStatus Waiting(const std::string& name) {
  SourceStatus source;
  source.name = name;
  return source;
}

PeerSet Peers(size_t count, uint64_t version) {
  PeerSet peers;
  peers.version = version;
  peers.peers.resize(count);
  return peers;
}

TEST(ServiceStatusTest, StartingNamesTheSourcesNotHeardFrom) {
  const PeerSet peers = Peers(0, 0);
  const std::vector<SourceStatus> sources = {Ok("env"), Waiting("tailscale"), Waiting("mdns")};
  EXPECT_EQ(ServiceStatusLine({peers, sources, false, false}),
            "starting: waiting for tailscale, mdns");
  EXPECT_EQ(ServiceStatusLine({peers, {}, false, false}), "starting");
}

TEST(ServiceStatusTest, ReadyCountsPeersAndHealthySources) {
  const PeerSet one = Peers(1, 3);
  const PeerSet many = Peers(12, 40);
  const std::vector<SourceStatus> single = {Ok("env")};
  const std::vector<SourceStatus> both = {Ok("env"), Ok("tailscale")};
  EXPECT_EQ(ServiceStatusLine({one, single, true, false}), "1 peer (version 3); 1 source ok");
  EXPECT_EQ(ServiceStatusLine({many, both, true, false}), "12 peers (version 40); 2 sources ok");
}

TEST(ServiceStatusTest, NamesFailingStaleAndSilentSources) {
  const PeerSet peers = Peers(2, 5);
  SourceStatus disabled = Failing("mdns", false);
  disabled.enabled = false;
  const std::vector<SourceStatus> sources = {Ok("env"), Failing("headscale", true),
                                             Failing("tailscale", false), Waiting("lan"), disabled};
  EXPECT_EQ(ServiceStatusLine({peers, sources, true, false}),
            "2 peers (version 5); failing: headscale (stale), tailscale; waiting: lan; 1 ok");
}

TEST(ServiceStatusTest, ARefusedReloadIsShownUntilOneIsApplied) {
  const PeerSet peers = Peers(0, 1);
  const std::vector<SourceStatus> sources = {Ok("env")};
  EXPECT_EQ(ServiceStatusLine({peers, sources, true, true}),
            "0 peers (version 1); 1 source ok; last reload refused");
  EXPECT_EQ(ServiceStatusLine({peers, {Waiting("env")}, false, true}),
            "starting: waiting for env; last reload refused");
}

}  // namespace
}  // namespace peerscout

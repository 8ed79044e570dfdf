// The mdns source's DNS-SD part without a daemon: what a backend's events make of its view.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/mdns/dns_sd_browser.h"

namespace peerscout::mdns {
namespace {

using namespace std::chrono_literals;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// `name` announced on interface 2 over IPv4.
Announcement On(const std::string& name) { return {2, 0, {name, "_peerscout._tcp", "local"}}; }

ServiceInstance Service(const std::string& name) {
  ServiceInstance instance;
  instance.key = {name, "_peerscout._tcp", "local"};
  instance.host = name + ".local";
  instance.addresses.push_back(*IpAddress::Parse("192.168.1.10"));
  instance.port = 52415;
  return instance;
}

class DnsSdBrowserTest : public ::testing::Test {
 protected:
  void Browse(const std::vector<std::string>& names) {
    browser_.Connected();
    for (const std::string& name : names) browser_.Found(On(name), Service(name));
    browser_.Settled();
  }

  int changes_ = 0;
  DnsSdBrowser browser_{{}, 10min, [this] { ++changes_; }};
};

TEST_F(DnsSdBrowserTest, ShowsNothingUntilTheFirstAnswersAreIn) {
  browser_.Connected();
  browser_.Found(On("a"), Service("a"));
  EXPECT_FALSE(browser_.Look(Clock::now()).settled);
  EXPECT_EQ(changes_, 0);
  browser_.Settled();
  EXPECT_EQ(changes_, 1);
  const DnsSdBrowser::View view = browser_.Look(Clock::now());
  EXPECT_TRUE(view.settled);
  EXPECT_THAT(view.error, IsEmpty());
  ASSERT_THAT(view.services, SizeIs(1));
  EXPECT_FALSE(view.services[0].stale);
}

TEST_F(DnsSdBrowserTest, ADaemonAwayKeepsItsServicesStaleForStaleAfter) {
  Browse({"a"});
  browser_.Disconnected("avahi-daemon is not running");
  const DnsSdBrowser::View view = browser_.Look(Clock::now());
  EXPECT_EQ(view.error, "avahi-daemon is not running");
  ASSERT_THAT(view.services, SizeIs(1));
  EXPECT_TRUE(view.services[0].stale);
  EXPECT_EQ(view.counters.at("dns_sd_disconnects"), 1u);
  EXPECT_THAT(browser_.Look(Clock::now() + 11min).services, IsEmpty());
}

TEST_F(DnsSdBrowserTest, AFreshBrowseDropsOnlyWhatItDidNotFindAgain) {
  Browse({"a", "b"});
  browser_.Disconnected("avahi-daemon restarted");
  browser_.Connected();
  browser_.Found(On("b"), Service("b"));
  EXPECT_THAT(browser_.Look(Clock::now()).services, SizeIs(2));  // no flap before Settled
  browser_.Settled();
  const DnsSdBrowser::View view = browser_.Look(Clock::now());
  EXPECT_THAT(view.error, IsEmpty());
  ASSERT_THAT(view.services, SizeIs(1));
  EXPECT_EQ(view.services[0].identity.hostname, "b");
}

TEST_F(DnsSdBrowserTest, OurAdvertisementsFateIsShownUntilTheDaemonGoes) {
  Browse({});
  browser_.Advertised("lanhost1", "collision");
  EXPECT_EQ(browser_.Look(Clock::now()).advertised, "failed: collision");
  browser_.Advertised("lanhost1 #2", "");
  EXPECT_EQ(browser_.Look(Clock::now()).advertised, "lanhost1 #2");
  browser_.Disconnected("avahi-daemon is not running");
  EXPECT_THAT(browser_.Look(Clock::now()).advertised, IsEmpty());
}

TEST_F(DnsSdBrowserTest, AResetWaitsForTheFirstAnswersAgain) {
  Browse({"a"});
  browser_.ResetFirstLook();
  EXPECT_FALSE(browser_.Look(Clock::now()).settled);
  browser_.Settled();
  EXPECT_THAT(browser_.Look(Clock::now()).services, SizeIs(1));
}

}  // namespace
}  // namespace peerscout::mdns

// The VRRP state machine against a clock the tests move by hand, one router
// fed events (virtual_router_pair_test puts two on a link).
#include "ha/virtual_router.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xdplb::ha {
namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;
using Lines = std::vector<std::string>;

constexpr std::uint8_t kVrid = 7;
const IpAddress kSelf = *IpAddress::parse("198.18.0.1");
const IpAddress kPeer = *IpAddress::parse("198.18.0.2");
const IpAddress kLowerPeer = *IpAddress::parse("198.18.0.0");

// Worked out in vrrp_timers_test: at 1 s, priority 100 and 200.
constexpr microseconds kSkew100{609'375};
constexpr microseconds kDown100{3'609'375};
constexpr microseconds kDown200{3'218'750};

class FakeClock {
public:
    TimePoint now() const { return now_; }
    void advance(Clock::duration step) { now_ += step; }
    void set(TimePoint to) { now_ = to; }

private:
    TimePoint now_{std::chrono::hours(1)};
};

// One line per action, so that a sequence reads as it happens.
std::string line(const Action& action) {
    if (auto* send = std::get_if<SendAdvert>(&action)) return "advert " + std::to_string(send->priority);
    if (std::holds_alternative<AcquireAddresses>(action)) return "acquire";
    if (std::holds_alternative<ReleaseAddresses>(action)) return "release";
    const auto& notify = std::get<Notify>(action);
    return to_string(notify.from) + " -> " + to_string(notify.to);
}

std::vector<std::string> lines(const Actions& actions) {
    std::vector<std::string> result;
    for (const Action& action : actions) result.push_back(line(action));
    return result;
}

std::string reason(const Actions& actions) {
    for (const Action& action : actions) {
        if (auto* notify = std::get_if<Notify>(&action)) return notify->reason;
    }
    return "no transition";
}

RouterConfig config(std::uint8_t priority, const IpAddress& address = kSelf) {
    RouterConfig config;
    config.vrid = kVrid;
    config.priority = priority;
    config.advert_interval = Centiseconds(100);
    config.primary_address = address;
    config.tracked_interfaces = {"eth0", "eth1"};
    return config;
}

Advert advert(std::uint8_t priority, std::uint16_t interval = 100) {
    return Advert{kVrid, priority, interval, {*IpAddress::parse("198.18.0.100")}};
}

// Another router advertising every second for `seconds`, the router's due
// timer fired after each advert: what the router did meanwhile.
Lines hear_every_second(VirtualRouter& router, FakeClock& clock, const Advert& heard, const IpAddress& source,
                        int seconds) {
    Lines done;
    for (int second = 0; second < seconds; ++second) {
        clock.advance(1s);
        for (const Action& action : router.advert_received(heard, source, clock.now())) done.push_back(line(action));
        for (const Action& action : router.timer_expired(clock.now())) done.push_back(line(action));
    }
    return done;
}

// A router past its first master down interval with nobody else on the link.
VirtualRouter started_master(FakeClock& clock, RouterConfig router_config) {
    VirtualRouter router(std::move(router_config));
    router.start(clock.now());
    clock.set(*router.deadline());
    router.timer_expired(clock.now());
    EXPECT_EQ(router.state(), State::master);
    return router;
}

TEST(VirtualRouter, StartsAsBackupAndClearsAddressesLeftBehind) {
    FakeClock clock;
    VirtualRouter router(config(100));
    EXPECT_EQ(router.state(), State::initialize);
    EXPECT_FALSE(router.deadline());
    Actions actions = router.start(clock.now());
    EXPECT_EQ(lines(actions), Lines({"release", "init -> backup"}));
    EXPECT_EQ(reason(actions), "started");
    EXPECT_EQ(router.deadline(), clock.now() + kDown100);
    EXPECT_FALSE(router.master_address());
    EXPECT_EQ(lines(router.start(clock.now())), Lines{}) << "started already";
}

TEST(VirtualRouter, BecomesMasterWhenNoAdvertComesForTheMasterDownInterval) {
    FakeClock clock;
    VirtualRouter router(config(100));
    router.start(clock.now());
    clock.advance(kDown100 - 1us);
    EXPECT_EQ(lines(router.timer_expired(clock.now())), Lines{}) << "early";
    clock.advance(1us);
    Actions actions = router.timer_expired(clock.now());
    EXPECT_EQ(lines(actions), Lines({"advert 100", "acquire", "backup -> master"}));
    EXPECT_EQ(reason(actions), "no advert for the master down interval (3609 ms)");
    EXPECT_EQ(router.master_address(), kSelf);
    EXPECT_EQ(router.deadline(), clock.now() + 1s);
}

TEST(VirtualRouter, MasterAdvertisesEveryInterval) {
    FakeClock clock;
    VirtualRouter router = started_master(clock, config(100));
    for (int i = 0; i < 5; ++i) {
        clock.set(*router.deadline());
        EXPECT_EQ(lines(router.timer_expired(clock.now())), Lines({"advert 100"}));
        EXPECT_EQ(router.deadline(), clock.now() + 1s);
    }
}

TEST(VirtualRouter, AdvertsFromTheMasterKeepABackupDown) {
    FakeClock clock;
    VirtualRouter router(config(100));
    router.start(clock.now());
    EXPECT_EQ(hear_every_second(router, clock, advert(150), kPeer, 10), Lines{});
    EXPECT_EQ(router.state(), State::backup);
    EXPECT_EQ(router.master_address(), kPeer);
    EXPECT_EQ(router.deadline(), clock.now() + kDown100);
}

TEST(VirtualRouter, BackupTimesTheMasterByTheMastersInterval) {
    FakeClock clock;
    VirtualRouter router(config(100));
    router.start(clock.now());
    router.advert_received(advert(150, 50), kPeer, clock.now());
    EXPECT_EQ(router.master_advert_interval(), Centiseconds(50));
    EXPECT_EQ(router.deadline(), clock.now() + 1500ms + kSkew100 / 2);
}

TEST(VirtualRouter, HigherPriorityAdvertMakesTheMasterStepDown) {
    FakeClock clock;
    VirtualRouter router = started_master(clock, config(100));
    clock.advance(200ms);
    Actions actions = router.advert_received(advert(200, 50), kPeer, clock.now());
    EXPECT_EQ(lines(actions), Lines({"release", "master -> backup"}));
    EXPECT_EQ(reason(actions), "advert from 198.18.0.2 with priority 200 above ours (100)");
    EXPECT_EQ(router.master_address(), kPeer);
    EXPECT_EQ(router.deadline(), clock.now() + 1500ms + kSkew100 / 2) << "timed by the new master's interval";
}

// Hosts that the other master reached while the two were apart are told again where the addresses are.
TEST(VirtualRouter, MasterAnswersALowerPriorityAdvertWithItsOwnAndAnnouncesAgain) {
    FakeClock clock;
    VirtualRouter router = started_master(clock, config(100));
    clock.advance(300ms);
    EXPECT_EQ(lines(router.advert_received(advert(99), kPeer, clock.now())), Lines({"advert 100", "acquire"}));
    EXPECT_EQ(router.state(), State::master);
    EXPECT_EQ(router.deadline(), clock.now() + 1s);
}

TEST(VirtualRouter, MasterAnswersAResigningRouter) {
    FakeClock clock;
    VirtualRouter router = started_master(clock, config(100));
    EXPECT_EQ(lines(router.advert_received(advert(0), kPeer, clock.now())), Lines({"advert 100", "acquire"}));
    EXPECT_EQ(router.state(), State::master);
}

TEST(VirtualRouter, BetweenEqualPrioritiesTheHigherAddressIsMaster) {
    FakeClock clock;
    VirtualRouter lower = started_master(clock, config(100, kSelf));
    Actions actions = lower.advert_received(advert(100), kPeer, clock.now());
    EXPECT_EQ(lines(actions), Lines({"release", "master -> backup"}));
    EXPECT_EQ(reason(actions), "advert from 198.18.0.2 with priority 100 and a higher address");

    VirtualRouter higher = started_master(clock, config(100, kSelf));
    EXPECT_EQ(lines(higher.advert_received(advert(100), kLowerPeer, clock.now())), Lines({"advert 100", "acquire"}));
    EXPECT_EQ(higher.state(), State::master);
}

TEST(VirtualRouter, Ipv6AddressesCompareAsNumbers) {
    FakeClock clock;
    VirtualRouter router = started_master(clock, config(100, *IpAddress::parse("fe80::ff")));
    EXPECT_EQ(lines(router.advert_received(advert(100), *IpAddress::parse("fe80::1:0"), clock.now())),
              Lines({"release", "master -> backup"}));
}

TEST(VirtualRouter, AnEqualPriorityBackupDoesNotPreempt) {
    FakeClock clock;
    VirtualRouter router(config(100, kPeer));
    router.start(clock.now());
    EXPECT_EQ(hear_every_second(router, clock, advert(100), kSelf, 10), Lines{})
        << "a higher address breaks ties between masters only";
}

TEST(VirtualRouter, HigherPriorityBackupPreemptsALowerMaster) {
    FakeClock clock;
    VirtualRouter router(config(200));
    router.start(clock.now());
    // The lower master's adverts are dropped: the master down timer set at
    // start runs out although they keep coming.
    for (int second = 1; second <= 3; ++second) {
        clock.set(TimePoint(std::chrono::hours(1)) + second * 1s);
        EXPECT_EQ(lines(router.advert_received(advert(100), kPeer, clock.now())), Lines{});
    }
    EXPECT_EQ(router.deadline(), TimePoint(std::chrono::hours(1)) + kDown200);
    clock.set(*router.deadline());
    EXPECT_EQ(lines(router.timer_expired(clock.now())), Lines({"advert 200", "acquire", "backup -> master"}));
}

TEST(VirtualRouter, NoPreemptFollowsALowerMasterUntilItFallsSilent) {
    FakeClock clock;
    RouterConfig no_preempt = config(200);
    no_preempt.preempt = false;
    VirtualRouter router(no_preempt);
    router.start(clock.now());
    EXPECT_EQ(hear_every_second(router, clock, advert(100), kPeer, 20), Lines{});
    EXPECT_EQ(router.master_address(), kPeer);
    clock.advance(kDown200);
    EXPECT_EQ(lines(router.timer_expired(clock.now())), Lines({"advert 200", "acquire", "backup -> master"}));
}

TEST(VirtualRouter, PreemptDelayCountsFromTheFirstAdvertOfTheLowerMaster) {
    FakeClock clock;
    RouterConfig delayed = config(200);
    delayed.preempt_delay = 5s;
    VirtualRouter router(delayed);
    router.start(clock.now());
    // Followed while the delay runs: the fifth advert comes 4 s after the first...
    EXPECT_EQ(hear_every_second(router, clock, advert(100), kPeer, 5), Lines{});
    TimePoint takeover = clock.now() + kDown200;
    EXPECT_EQ(router.deadline(), takeover);
    // ...dropped from 5 s on: the master down timer of the last one followed runs out.
    EXPECT_EQ(hear_every_second(router, clock, advert(100), kPeer, 3), Lines{});
    EXPECT_EQ(router.deadline(), takeover);
    clock.set(takeover);
    EXPECT_EQ(lines(router.timer_expired(clock.now())), Lines({"advert 200", "acquire", "backup -> master"}));
}

TEST(VirtualRouter, PreemptDelayStartsAgainAfterAHigherMaster) {
    FakeClock clock;
    RouterConfig delayed = config(200);
    delayed.preempt_delay = 3s;
    VirtualRouter router(delayed);
    router.start(clock.now());
    router.advert_received(advert(100), kPeer, clock.now());
    clock.advance(2s);
    router.advert_received(advert(250), kLowerPeer, clock.now());  // a better master came and went
    clock.advance(1s);
    router.advert_received(advert(100), kPeer, clock.now());
    clock.advance(1s);
    router.advert_received(advert(100), kPeer, clock.now());
    EXPECT_EQ(router.deadline(), clock.now() + kDown200) << "1 s into a new delay: still followed";
}

TEST(VirtualRouter, ResigningMasterIsReplacedAfterTheSkewTime) {
    FakeClock clock;
    VirtualRouter router(config(100));
    router.start(clock.now());
    router.advert_received(advert(150), kPeer, clock.now());
    clock.advance(500ms);
    EXPECT_EQ(lines(router.advert_received(advert(0), kPeer, clock.now())), Lines{});
    EXPECT_EQ(router.deadline(), clock.now() + kSkew100);
    clock.advance(kSkew100);
    Actions actions = router.timer_expired(clock.now());
    EXPECT_EQ(lines(actions), Lines({"advert 100", "acquire", "backup -> master"}));
    EXPECT_EQ(reason(actions), "the master resigned (priority 0)");
}

TEST(VirtualRouter, MasterShutsDownWithPriorityZero) {
    FakeClock clock;
    VirtualRouter router = started_master(clock, config(100));
    Actions actions = router.shutdown(clock.now());
    EXPECT_EQ(lines(actions), Lines({"advert 0", "release", "master -> init"}));
    EXPECT_EQ(reason(actions), "shutdown");
    EXPECT_FALSE(router.deadline());
    EXPECT_FALSE(router.master_address());
    EXPECT_EQ(lines(router.shutdown(clock.now())), Lines{});
    EXPECT_EQ(lines(router.advert_received(advert(200), kPeer, clock.now())), Lines{}) << "init listens to no one";
}

TEST(VirtualRouter, BackupShutsDownQuietly) {
    FakeClock clock;
    VirtualRouter router(config(100));
    router.start(clock.now());
    EXPECT_EQ(lines(router.shutdown(clock.now())), Lines({"release", "backup -> init"}));
    EXPECT_EQ(lines(router.start(clock.now())), Lines({"release", "init -> backup"})) << "and can start again";
}

TEST(VirtualRouter, TrackedInterfaceDownIsFaultAndUpIsBackup) {
    FakeClock clock;
    VirtualRouter router = started_master(clock, config(100));
    Actions actions = router.interface_changed("eth1", false, clock.now());
    EXPECT_EQ(lines(actions), Lines({"advert 0", "release", "master -> fault"}));
    EXPECT_EQ(reason(actions), "tracked interface eth1 is down");
    EXPECT_FALSE(router.deadline());
    EXPECT_FALSE(router.master_address());

    EXPECT_EQ(lines(router.interface_changed("eth0", false, clock.now())), Lines{});
    EXPECT_EQ(lines(router.advert_received(advert(50), kPeer, clock.now())), Lines{});
    EXPECT_EQ(lines(router.interface_changed("eth1", true, clock.now())), Lines{}) << "eth0 is still down";
    EXPECT_EQ(router.state(), State::fault);

    clock.advance(10s);
    actions = router.interface_changed("eth0", true, clock.now());
    EXPECT_EQ(lines(actions), Lines({"release", "fault -> backup"}));
    EXPECT_EQ(reason(actions), "tracked interfaces up");
    EXPECT_EQ(router.deadline(), clock.now() + kDown100);
}

TEST(VirtualRouter, BackupGoesToFaultToo) {
    FakeClock clock;
    VirtualRouter router(config(100));
    router.start(clock.now());
    EXPECT_EQ(lines(router.interface_changed("eth0", false, clock.now())), Lines({"release", "backup -> fault"}));
    EXPECT_EQ(lines(router.shutdown(clock.now())), Lines({"release", "fault -> init"}));
}

TEST(VirtualRouter, UntrackedInterfacesDoNotMatter) {
    FakeClock clock;
    VirtualRouter router = started_master(clock, config(100));
    EXPECT_EQ(lines(router.interface_changed("eth2", false, clock.now())), Lines{});
    EXPECT_EQ(router.state(), State::master);
}

TEST(VirtualRouter, StartsInFaultWhenATrackedInterfaceIsAlreadyDown) {
    FakeClock clock;
    VirtualRouter router(config(100));
    EXPECT_EQ(lines(router.interface_changed("eth1", false, clock.now())), Lines{}) << "recorded before start";
    Actions actions = router.start(clock.now());
    EXPECT_EQ(lines(actions), Lines({"release", "init -> fault"}));
    EXPECT_EQ(reason(actions), "tracked interface eth1 is down");
}

TEST(VirtualRouter, TheOwnerStartsAsMaster) {
    FakeClock clock;
    VirtualRouter router(config(kOwnerPriority));
    Actions actions = router.start(clock.now());
    EXPECT_EQ(lines(actions), Lines({"advert 255", "acquire", "init -> master"}));
    EXPECT_EQ(reason(actions), "started, owner of the addresses");
}

TEST(VirtualRouter, TheOwnerPreemptsEvenWithPreemptOff) {
    FakeClock clock;
    RouterConfig owner = config(kOwnerPriority);
    owner.preempt = false;
    owner.preempt_delay = 2s;  // which makes it start as backup
    VirtualRouter router(owner);
    EXPECT_EQ(lines(router.start(clock.now())), Lines({"release", "init -> backup"}));
    EXPECT_EQ(hear_every_second(router, clock, advert(254), kPeer, 6),
              Lines({"advert 255", "acquire", "backup -> master"}));
}

TEST(VirtualRouter, TheResyncGateHoldsPreemption) {
    FakeClock clock;
    bool resynced = false;
    VirtualRouter router(config(200), [&] { return resynced; });
    router.start(clock.now());
    EXPECT_EQ(hear_every_second(router, clock, advert(100), kPeer, 20), Lines{});
    EXPECT_EQ(router.master_address(), kPeer);
    resynced = true;
    TimePoint last_followed = clock.now();
    EXPECT_EQ(hear_every_second(router, clock, advert(100), kPeer, 3), Lines{});
    clock.set(last_followed + kDown200);
    EXPECT_EQ(lines(router.timer_expired(clock.now())), Lines({"advert 200", "acquire", "backup -> master"}));
}

TEST(VirtualRouter, TheResyncGateHoldsTheOwnerBackAtStart) {
    FakeClock clock;
    bool resynced = false;
    VirtualRouter router(config(kOwnerPriority), [&] { return resynced; });
    EXPECT_EQ(lines(router.start(clock.now())), Lines({"release", "init -> backup"}));
}

TEST(VirtualRouter, TheResyncGateDoesNotStopTakingOverFromASilentMaster) {
    FakeClock clock;
    VirtualRouter router(config(200), [] { return false; });
    router.start(clock.now());
    router.advert_received(advert(100), kPeer, clock.now());
    clock.advance(kDown200);
    EXPECT_EQ(lines(router.timer_expired(clock.now())), Lines({"advert 200", "acquire", "backup -> master"}));
}

TEST(VirtualRouter, TheResyncGateDoesNotStopTakingOverFromAResigningMaster) {
    FakeClock clock;
    VirtualRouter router(config(200), [] { return false; });
    router.start(clock.now());
    router.advert_received(advert(100), kPeer, clock.now());
    router.advert_received(advert(0), kPeer, clock.now());
    clock.advance(218'750us);  // the skew at priority 200
    EXPECT_EQ(lines(router.timer_expired(clock.now())), Lines({"advert 200", "acquire", "backup -> master"}));
}

TEST(VirtualRouter, IgnoresItsOwnAdvertsAndOtherRouters) {
    FakeClock clock;
    VirtualRouter router = started_master(clock, config(100));
    Advert other_vrid = advert(200);
    other_vrid.vrid = kVrid + 1;
    EXPECT_EQ(lines(router.advert_received(other_vrid, kPeer, clock.now())), Lines{});
    EXPECT_EQ(lines(router.advert_received(advert(200), *IpAddress::parse("fe80::2"), clock.now())), Lines{});
    EXPECT_EQ(lines(router.advert_received(advert(200), kSelf, clock.now())), Lines{}) << "looped back";
    EXPECT_EQ(router.state(), State::master);
}

TEST(VirtualRouter, RefusesAnInvalidConfiguration) {
    RouterConfig bad = config(100);
    bad.vrid = 0;
    EXPECT_THROW(VirtualRouter{bad}, std::invalid_argument);
}

TEST(VirtualRouter, StatesReadAsLbctlShowsThem) {
    EXPECT_EQ(to_string(State::initialize), "init");
    EXPECT_EQ(to_string(State::backup), "backup");
    EXPECT_EQ(to_string(State::master), "master");
    EXPECT_EQ(to_string(State::fault), "fault");
}

}  // namespace
}  // namespace xdplb::ha

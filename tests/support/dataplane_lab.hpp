// A private network namespace with the interfaces the data plane sees on a real
// load balancer, so that FIB lookups made by the XDP program under
// BPF_PROG_TEST_RUN give known, repeatable answers:
//
//   eth0 02:..:01  198.18.0.1/24 + VIP 198.18.0.100   client 198.18.0.2 at 02:..:02
//                  fd00::1/64 + VIP fd00::100          client fd00::2 at 02:..:02
//   eth1 02:..:10  198.18.1.1/24                       backends 198.18.1.11-12 at 02:..:11-12
//                  fd00:1::1/64                        backends fd00:1::11-12 at 02:..:11-12
//                                                      198.18.1.20: no neighbour entry
//                  198.18.2.0/24 and fd00:2::/64: routed through backend 1
#pragma once

#include <cstdint>
#include <string>

#include "frame.hpp"

namespace xdplb::testing {

struct LabAddresses {
    static constexpr const char* kClient = "198.18.0.2";
    static constexpr const char* kLbClientSide = "198.18.0.1";
    static constexpr const char* kVip = "198.18.0.100";
    static constexpr const char* kLbBackendSide = "198.18.1.1";
    static constexpr const char* kBackend1 = "198.18.1.11";
    static constexpr const char* kBackend2 = "198.18.1.12";
    static constexpr const char* kBackendWithoutNeighbour = "198.18.1.20";
    static constexpr const char* kElsewhere = "198.18.0.50";
};

// The lab's addresses of one family, so that a test can run on either.
struct Family {
    const char* name;
    const char* client;
    const char* vip;
    const char* lb_backend_side;
    const char* backend1;
    const char* backend2;
    const char* without_neighbour;  // on eth1's network, never resolved
    const char* behind_gateway;     // routed through backend 1
};

inline const Family kIpv4{"ipv4", LabAddresses::kClient, LabAddresses::kVip, LabAddresses::kLbBackendSide,
                          LabAddresses::kBackend1, LabAddresses::kBackend2, LabAddresses::kBackendWithoutNeighbour,
                          "198.18.2.11"};
inline const Family kIpv6{"ipv6", "fd00::2", "fd00::100", "fd00:1::1", "fd00:1::11", "fd00:1::12", "fd00:1::20",
                          "fd00:2::11"};

// The family of a textual address.
const Family& family_of(const std::string& address);

inline const Mac kEth0Mac = mac(0x01);
inline const Mac kClientMac = mac(0x02);
inline const Mac kEth1Mac = mac(0x10);
inline const Mac kBackend1Mac = mac(0x11);
inline const Mac kBackend2Mac = mac(0x12);

class DataPlaneLab {
public:
    // Moves the calling thread into a new network namespace and builds the lab
    // there; throws std::runtime_error when that is not possible (not root).
    DataPlaneLab();

    int eth0() const { return eth0_; }
    int eth1() const { return eth1_; }

private:
    int eth0_ = 0;
    int eth1_ = 0;
};

struct TestRun {
    int verdict = -1;
    Bytes frame;
};

// Change the lab during a test (which puts it back: the lab outlives it):
// a neighbour's MAC address, or anything through an ip(8) command. Both throw
// std::runtime_error when the change fails.
void set_lab_neighbour(const std::string& address, const Mac& lladdr, const char* device);
void change_lab(const std::string& command);

// Runs the program once on `frame` as if it had arrived on `ingress_ifindex`.
TestRun run_program(int program_fd, const Bytes& frame, int ingress_ifindex);

}  // namespace xdplb::testing

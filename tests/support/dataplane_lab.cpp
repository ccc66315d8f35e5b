#include "dataplane_lab.hpp"

#include <net/if.h>
#include <sched.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace xdplb::testing {

namespace {

void sh(const std::string& command) {
    std::string quiet = command + " >/dev/null 2>&1";
    if (std::system(quiet.c_str()) != 0) throw std::runtime_error("lab setup failed: " + command);
}

std::string mac_text(const Mac& m) {
    char text[18];
    std::snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return text;
}

void add_interface(const char* name, const Mac& address, const char* peer) {
    sh(std::string("ip link add ") + name + " address " + mac_text(address) + " type veth peer name " + peer);
    sh(std::string("ip link set ") + name + " up");
    sh(std::string("ip link set ") + peer + " up");
}

void add_neighbour(const char* address, const Mac& lladdr, const char* device) {
    sh(std::string("ip neigh replace ") + address + " lladdr " + mac_text(lladdr) + " dev " + device +
       " nud permanent");
}

void add_address(const std::string& address, const char* device) {
    // nodad: usable at once, not after duplicate address detection.
    bool ipv6 = address.find(':') != std::string::npos;
    sh("ip addr add " + address + " dev " + device + (ipv6 ? " nodad" : ""));
}

}  // namespace

const Family& family_of(const std::string& address) {
    return address.find(':') != std::string::npos ? kIpv6 : kIpv4;
}

DataPlaneLab::DataPlaneLab() {
    if (::unshare(CLONE_NEWNET) != 0) {
        throw std::runtime_error(std::string("cannot create a network namespace: ") + std::strerror(errno));
    }
    sh("ip link set lo up");
    add_interface("eth0", kEth0Mac, "peer0");
    add_interface("eth1", kEth1Mac, "peer1");
    add_address(std::string(LabAddresses::kLbClientSide) + "/24", "eth0");
    add_address(std::string(LabAddresses::kVip) + "/32", "eth0");
    add_address(std::string(LabAddresses::kLbBackendSide) + "/24", "eth1");
    add_address("fd00::1/64", "eth0");
    add_address(std::string(kIpv6.vip) + "/128", "eth0");
    add_address(std::string(kIpv6.lb_backend_side) + "/64", "eth1");
    for (const Family* family : {&kIpv4, &kIpv6}) {
        add_neighbour(family->client, kClientMac, "eth0");
        add_neighbour(family->backend1, kBackend1Mac, "eth1");
        add_neighbour(family->backend2, kBackend2Mac, "eth1");
    }
    sh("ip route add 198.18.2.0/24 via " + std::string(kIpv4.backend1));
    sh("ip -6 route add fd00:2::/64 via " + std::string(kIpv6.backend1));
    std::ofstream("/proc/sys/net/ipv4/ip_forward") << "1\n";
    std::ofstream("/proc/sys/net/ipv6/conf/all/forwarding") << "1\n";
    eth0_ = static_cast<int>(if_nametoindex("eth0"));
    eth1_ = static_cast<int>(if_nametoindex("eth1"));
}

void set_lab_neighbour(const std::string& address, const Mac& lladdr, const char* device) {
    add_neighbour(address.c_str(), lladdr, device);
}

void change_lab(const std::string& command) { sh(command); }

TestRun run_program(int program_fd, const Bytes& frame, int ingress_ifindex) {
    TestRun result;
    result.frame.resize(frame.size() + 256);
    xdp_md context{};
    context.data_end = static_cast<__u32>(frame.size());  // the kernel checks it against data_size_in
    context.ingress_ifindex = static_cast<__u32>(ingress_ifindex);
    LIBBPF_OPTS(bpf_test_run_opts, options, .data_in = frame.data(), .data_out = result.frame.data(),
                .data_size_in = static_cast<__u32>(frame.size()),
                .data_size_out = static_cast<__u32>(result.frame.size()), .ctx_in = &context,
                .ctx_size_in = sizeof(context), .repeat = 1);
    if (bpf_prog_test_run_opts(program_fd, &options) != 0) {
        throw std::runtime_error(std::string("BPF_PROG_TEST_RUN failed: ") + std::strerror(errno));
    }
    result.verdict = static_cast<int>(options.retval);
    result.frame.resize(options.data_size_out);
    return result;
}

}  // namespace xdplb::testing

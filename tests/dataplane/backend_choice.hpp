// What the scheduler, persistence and connection-cap tests share: a DNAT farm
// over the lab's two backends, and which of them a new connection reached,
// judged by comparing the whole output frame with the one expected for each.
#pragma once

#include <sched.h>

#include <bpf/bpf.h>
#include <xdplb/abi.h>

#include "dataplane_fixture.hpp"

namespace xdplb::testing {

class BackendChoice : public PerFamily {
protected:
    // Per-CPU state (the round robin cursors) makes a sequence of test runs
    // deterministic only on one CPU: the thread stays on the one it is on.
    void SetUp() override {
        ASSERT_EQ(sched_getaffinity(0, sizeof(saved_cpus_), &saved_cpus_), 0);
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(sched_getcpu(), &one);
        ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
        PerFamily::SetUp();
    }

    void TearDown() override { sched_setaffinity(0, sizeof(saved_cpus_), &saved_cpus_); }

    // The farm "web" (DNAT, port 80) over b1 and b2, both on port 8080.
    model::Farm web(model::Scheduler scheduler, std::uint32_t b1_weight = 1, std::uint32_t b2_weight = 1) const {
        model::Farm web = farm("web", model::Mode::dnat, 80, model::Protocol::tcp, family());
        web.scheduler = scheduler;
        web.backends = {backend("b1", family().backend1, 8080, b1_weight),
                        backend("b2", family().backend2, 8080, b2_weight)};
        return web;
    }

    FrameSpec syn(std::uint16_t client_port) const { return from_client(family().vip, client_port, 80); }

    // `sent` as it leaves toward backend 1 or 2.
    Bytes toward(const FrameSpec& sent, int backend) const {
        FrameSpec expected = forwarded(sent, kEth1Mac, backend == 1 ? kBackend1Mac : kBackend2Mac);
        expected.dst_ip = backend == 1 ? family().backend1 : family().backend2;
        expected.dport = 8080;
        return build_frame(expected);
    }

    // 1 or 2: the backend a SYN from `client_port` went to, byte for byte;
    // 0 when it was dropped; -1 (a failure) for anything else.
    int open(std::uint16_t client_port) {
        FrameSpec sent = syn(client_port);
        TestRun out = run_from_client(build_frame(sent));
        if (out.verdict == XDP_DROP) return 0;
        for (int backend : {1, 2}) {
            if (out.verdict == XDP_REDIRECT && out.frame == toward(sent, backend)) return backend;
        }
        ADD_FAILURE() << "the SYN from port " << client_port << " reached neither backend, verdict " << out.verdict;
        return -1;
    }

    // Completes the handshake of the connection from `client_port`, open on
    // backend 1 or 2 (its SYN-ACK, then the client's ACK), which confirms it.
    void confirm(std::uint16_t client_port, int backend) {
        FrameSpec syn_ack = from_backend1(8080, family().client, client_port, kSyn | kAck);
        if (backend == 2) {
            syn_ack.src_mac = kBackend2Mac;
            syn_ack.src_ip = family().backend2;
        }
        EXPECT_EQ(run_from_backends(build_frame(syn_ack)).verdict, XDP_REDIRECT);
        FrameSpec ack = syn(client_port);
        ack.tcp_flags = kAck;
        EXPECT_EQ(run_from_client(build_frame(ack)).verdict, XDP_REDIRECT);
    }

    // open(), then confirm() the connection when it was forwarded.
    int open_confirmed(std::uint16_t client_port) {
        int backend = open(client_port);
        if (backend > 0) confirm(client_port, backend);
        return backend;
    }

    std::uint32_t backend_id(const std::string& name) const { return config_.farms[0].find_backend(name)->id; }

    // What the connection table recount would have left in backend_load.
    void set_load(const std::string& name, std::uint64_t connections) {
        std::uint32_t id = backend_id(name);
        xdplb_backend_load load{connections};
        ASSERT_EQ(bpf_map_update_elem(program_->map_fd("backend_load"), &id, &load, BPF_ANY), 0);
    }

    std::uint64_t load_of(const std::string& name) const {
        std::uint32_t id = backend_id(name);
        xdplb_backend_load load{};
        EXPECT_EQ(bpf_map_lookup_elem(program_->map_fd("backend_load"), &id, &load), 0);
        return load.connections;
    }

private:
    cpu_set_t saved_cpus_;
};

}  // namespace xdplb::testing

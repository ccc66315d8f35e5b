#include "dataplane_fixture.hpp"

#include <bpf/bpf.h>

#include "model/operations.hpp"

namespace xdplb::testing {

DataPlaneLab& DataPlaneTest::lab() {
    static DataPlaneLab instance;
    return instance;
}

void DataPlaneTest::load_in_lab(dataplane::Program& program) {
    program.load_detached();
    for (int ifindex : {lab().eth0(), lab().eth1()}) {
        __u32 key = static_cast<__u32>(ifindex);
        ASSERT_EQ(bpf_map_update_elem(program.map_fd("tx_ports"), &key, &key, BPF_ANY), 0);
    }
}

void DataPlaneTest::SetUp() {
    lab();
    program_ = std::make_unique<dataplane::Program>(4096);
    load_in_lab(*program_);
    writer_ = std::make_unique<dataplane::MapWriter>(*program_);
    counters_ = std::make_unique<dataplane::CountersReader>(*program_);
    set_snat_ports(1024, 32767);
}

void DataPlaneTest::configure(model::Config config) {
    model::Config next = model::with_ids_assigned(std::move(config));
    writer_->apply(config_, next);
    config_ = std::move(next);
}

void DataPlaneTest::set_settings(const dataplane::Settings& settings) { writer_->write_settings(settings); }

void DataPlaneTest::set_snat_ports(std::uint16_t min, std::uint16_t max) {
    set_settings({.snat_ports = {min, max}});
}

std::uint64_t DataPlaneTest::reason_count(const std::string& name) const {
    for (const auto& [reason, count] : counters_->reasons()) {
        if (reason == name) return count;
    }
    ADD_FAILURE() << "no reason counter named " << name;
    return 0;
}

FrameSpec from_client(const std::string& dst_ip, std::uint16_t sport, std::uint16_t dport, std::uint8_t proto) {
    FrameSpec spec;
    spec.src_mac = kClientMac;
    spec.dst_mac = kEth0Mac;
    spec.src_ip = family_of(dst_ip).client;
    spec.dst_ip = dst_ip;
    spec.sport = sport;
    spec.dport = dport;
    spec.proto = proto;
    return spec;
}

FrameSpec from_backend1(std::uint16_t sport, const std::string& dst_ip, std::uint16_t dport, std::uint8_t tcp_flags) {
    FrameSpec spec;
    spec.src_mac = kBackend1Mac;
    spec.dst_mac = kEth1Mac;
    spec.src_ip = family_of(dst_ip).backend1;
    spec.dst_ip = dst_ip;
    spec.sport = sport;
    spec.dport = dport;
    spec.tcp_flags = tcp_flags;
    return spec;
}

FrameSpec forwarded(FrameSpec spec, const Mac& out_mac, const Mac& next_hop_mac) {
    spec.src_mac = out_mac;
    spec.dst_mac = next_hop_mac;
    spec.ttl -= 1;
    return spec;
}

FrameSpec to_backend1(FrameSpec spec, std::uint16_t dport) {
    spec = forwarded(spec, kEth1Mac, kBackend1Mac);
    spec.dst_ip = family_of(spec.dst_ip).backend1;
    spec.dport = dport;
    return spec;
}

model::Farm farm(const std::string& name, model::Mode mode, std::uint16_t port, model::Protocol proto,
                 const Family& family) {
    model::Farm farm;
    farm.name = name;
    farm.vip = *IpAddress::parse(family.vip);
    farm.port = port;
    farm.proto = proto;
    farm.mode = mode;
    return farm;
}

model::Backend backend(const std::string& name, const std::string& ip, std::optional<std::uint16_t> port,
                       std::uint32_t weight) {
    model::Backend backend;
    backend.name = name;
    backend.ip = *IpAddress::parse(ip);
    backend.port = port;
    backend.weight = weight;
    return backend;
}

void expect_frame(const TestRun& actual, int verdict, const Bytes& expected) {
    EXPECT_EQ(actual.verdict, verdict);
    EXPECT_TRUE(actual.frame == expected) << describe_difference(expected, actual.frame);
}

}  // namespace xdplb::testing

#include "model/config_diff.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/operations.hpp"
#include "model_builders.hpp"

namespace xdplb::model {
namespace {

using testing::backend;

Farm farm(const std::string& name, std::uint16_t port) {
    Farm f;
    f.name = name;
    f.vip = *IpAddress::parse("192.0.2.10");
    f.port = port;
    return f;
}

// web (80), api (8080) and db (3306), each with one backend, ids assigned.
Config three_farms() {
    Config config;
    config = add_farm(config, farm("web", 80));
    config = add_farm(config, farm("api", 8080));
    config = add_farm(config, farm("db", 3306));
    config = add_backend(config, "web", backend("web1", "10.0.0.11"));
    config = add_backend(config, "api", backend("api1", "10.0.0.21"));
    return add_backend(config, "db", backend("db1", "10.0.0.31"));
}

std::vector<std::string> names(const Config& config) {
    std::vector<std::string> result;
    for (const Farm& f : config.farms) result.push_back(f.name);
    return result;
}

using Names = std::vector<std::string>;

TEST(DifferingFarms, NoneForTheSameConfiguration) {
    const Config config = three_farms();
    const ConfigDiff diff = differing_farms(config, config);
    EXPECT_TRUE(diff.before.farms.empty());
    EXPECT_TRUE(diff.after.farms.empty());
}

TEST(DifferingFarms, AFarmWhoseBackendChangedOnBothSides) {
    const Config before = three_farms();
    Backend heavier = existing_backend(existing_farm(before, "api"), "api1");
    heavier.weight = 5;
    const Config after = replace_backend(before, "api", heavier);
    const ConfigDiff diff = differing_farms(before, after);
    EXPECT_EQ(names(diff.before), Names{"api"});
    EXPECT_EQ(names(diff.after), Names{"api"});
    EXPECT_EQ(diff.before.farms[0], *before.find_farm("api"));
    EXPECT_EQ(diff.after.farms[0], *after.find_farm("api"));
}

TEST(DifferingFarms, ANewFarmAfterOnlyAndAGoneFarmBeforeOnly) {
    const Config before = three_farms();
    const Config added = add_farm(before, farm("mail", 25));
    EXPECT_TRUE(differing_farms(before, added).before.farms.empty());
    EXPECT_EQ(names(differing_farms(before, added).after), Names{"mail"});

    const Config deleted = delete_farm(before, "web");
    EXPECT_EQ(names(differing_farms(before, deleted).before), Names{"web"});
    EXPECT_TRUE(differing_farms(before, deleted).after.farms.empty());
}

TEST(DifferingFarms, FarmsAreMatchedByIdNotByName) {
    // db deleted, then a new farm takes its id: another farm on both sides.
    const Config before = three_farms();
    const Config after = add_farm(delete_farm(before, "db"), farm("cache", 6379));
    ASSERT_EQ(existing_farm(after, "cache").id, existing_farm(before, "db").id);
    const ConfigDiff diff = differing_farms(before, after);
    EXPECT_EQ(names(diff.before), Names{"db"});
    EXPECT_EQ(names(diff.after), Names{"cache"});
}

}  // namespace
}  // namespace xdplb::model

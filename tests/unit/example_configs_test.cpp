// Every example in configs/ must stay a valid configuration file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/config_json.hpp"
#include "model/validate.hpp"

namespace xdplb::model {
namespace {

TEST(ExampleConfigs, EveryExampleIsValid) {
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(XDPLB_CONFIGS_DIR)) {
        if (entry.path().extension() != ".json") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        SCOPED_TRACE(entry.path().string());
        Config config = config_from_json(nlohmann::json::parse(text.str()), kConfigForm);
        EXPECT_NO_THROW(validate(config));
        EXPECT_FALSE(config.farms.empty());
        ++checked;
    }
    EXPECT_GE(checked, 2);
}

}  // namespace
}  // namespace xdplb::model

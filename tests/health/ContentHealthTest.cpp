#include "confcap/health/ContentHealth.h"

#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include <sstream>

BOOST_AUTO_TEST_SUITE(ContentHealthTest)

using confcap::health::ContentHealth;
using confcap::health::healthFromJson;
using confcap::health::Stretch;

namespace {

/// toJson's text read back, as a sidecar's reader sees it.
Poco::JSON::Object::Ptr throughText(const Poco::JSON::Object::Ptr& object) {
    std::ostringstream text;
    object->stringify(text);
    return Poco::JSON::Parser().parse(text.str()).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(theJsonReadsBackToTheTenth) {
    ContentHealth health;
    health.analysedSeconds = 3312.04;
    health.hasVideo = health.hasAudio = true;
    health.silence = {2280.0, Stretch{720.0, 2280.0}, {}};
    health.black = {31.5, Stretch{12.0, 31.5}, {}};
    health.loudnessLufs = -23.44;
    const auto json = throughText(confcap::health::toJson(health));
    BOOST_TEST(json->getValue<double>("analysedSeconds") == 3312.0);
    BOOST_TEST(json->getObject("frozen")->getValue<double>("seconds") == 0.0);
    BOOST_TEST(!json->getObject("frozen")->has("longest"));
    const auto back = healthFromJson(json);
    BOOST_REQUIRE(back.has_value());
    ContentHealth expected = health;
    expected.analysedSeconds = 3312.0;
    expected.loudnessLufs = -23.4;
    BOOST_TEST((*back == expected));
}

BOOST_AUTO_TEST_CASE(anAudioFileHasNoPictureFields) {
    ContentHealth radio;
    radio.analysedSeconds = 60;
    radio.hasAudio = true;
    const auto json = throughText(confcap::health::toJson(radio));
    BOOST_TEST(json->has("silence"));
    BOOST_TEST(!json->has("black"));
    BOOST_TEST(!json->has("frozen"));
    BOOST_TEST(!json->has("loudnessLufs"));
    BOOST_TEST((healthFromJson(json) == std::optional<ContentHealth>(radio)));
    BOOST_TEST(!healthFromJson(nullptr).has_value());
    BOOST_TEST(!healthFromJson(throughText(new Poco::JSON::Object)).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

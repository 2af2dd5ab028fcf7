// The talk's times in JSON: RFC 3339 UTC text when known, "" when not, and read back as instants.
#include "confcap/sink/TalkMetadata.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <ostream>
#include <string>

BOOST_AUTO_TEST_SUITE(TalkMetadataTest)

namespace data = boost::unit_test::data;
using confcap::core::parseIsoInstant;
using confcap::sink::TalkMetadata;

namespace {

struct TimeText {
    const char* written;  ///< the "start" text in a sidecar
    const char* read;     ///< what toJson writes after reading it back
};

std::ostream& operator<<(std::ostream& out, const TimeText& row) {
    return out << '"' << row.written << '"';
}

const TimeText kTimes[] = {
    {"2024-12-27T10:30:00Z", "2024-12-27T10:30:00Z"},
    {"2024-12-27T11:30:00+01:00", "2024-12-27T10:30:00Z"},
    {"", ""},
    {"2024-12-27T10:30:00", ""},  // no zone: not an instant
    {"soon", ""},
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_talk_without_times_writes_empty_text) {
    TalkMetadata talk;
    talk.title = "Untimed";
    const auto json = confcap::sink::toJson(talk);
    BOOST_TEST(json->getValue<std::string>("start") == "");
    BOOST_TEST(json->getValue<std::string>("end") == "");
}

BOOST_AUTO_TEST_CASE(times_are_written_as_utc_text) {
    TalkMetadata talk;
    talk.start = parseIsoInstant("2024-12-27T10:30:00Z");
    talk.end = parseIsoInstant("2024-12-27T11:10:00Z");
    const auto json = confcap::sink::toJson(talk);
    BOOST_TEST(json->getValue<std::string>("start") == "2024-12-27T10:30:00Z");
    BOOST_TEST(json->getValue<std::string>("end") == "2024-12-27T11:10:00Z");
    BOOST_TEST((confcap::sink::talkMetadataFrom(*json) == talk));
}

BOOST_DATA_TEST_CASE(start_text_read_and_written_again, data::make(kTimes), row) {
    Poco::JSON::Object object;
    object.set("start", std::string(row.written));
    const auto talk = confcap::sink::talkMetadataFrom(object);
    BOOST_TEST(confcap::sink::toJson(talk)->getValue<std::string>("start") == row.read);
}

BOOST_AUTO_TEST_SUITE_END()

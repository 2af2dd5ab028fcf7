// The streaming JSON writer: what it writes parses back to what was given, escapes included,
// and reads as the tree printers indent it.
#include "confcap/core/JsonWriter.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <utility>

#include "confcap/core/Text.h"

BOOST_AUTO_TEST_SUITE(JsonWriterTest)

using confcap::core::JsonWriter;

namespace {

/// `text` written as the one string of an array, and what that reads back as.
std::pair<std::string, std::string> writtenAndRead(const std::string& text) {
    std::ostringstream out;
    {
        JsonWriter json(out);
        json.beginArray();
        json.value(text);
        json.endArray();
    }
    const auto array = Poco::JSON::Parser().parse(out.str()).extract<Poco::JSON::Array::Ptr>();
    return {out.str(), array->getElement<std::string>(0)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(nestedValuesParseBack) {
    std::ostringstream out;
    JsonWriter json(out);
    json.beginObject();
    json.member("name", "Saal 1");
    json.member("count", std::int64_t{-42});
    json.member("live", true);
    json.key("nothing");
    json.null();
    json.key("empty");
    json.beginArray();
    json.endArray();
    json.key("none");
    json.beginObject();
    json.endObject();
    json.key("talks");
    json.beginArray();
    json.beginObject();
    json.member("title", "A");
    json.endObject();
    json.value("loose");
    json.endArray();
    json.endObject();

    const auto root = Poco::JSON::Parser().parse(out.str()).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(root->getValue<std::string>("name") == "Saal 1");
    BOOST_TEST(root->getValue<int>("count") == -42);
    BOOST_TEST(root->getValue<bool>("live"));
    BOOST_TEST(root->isNull("nothing"));
    BOOST_TEST(root->getArray("empty")->size() == 0U);
    BOOST_TEST(root->getObject("none")->size() == 0U);
    const auto talks = root->getArray("talks");
    BOOST_REQUIRE(talks->size() == 2U);
    BOOST_TEST(talks->getObject(0)->getValue<std::string>("title") == "A");
    BOOST_TEST(talks->getElement<std::string>(1) == "loose");
    BOOST_TEST(out.str().substr(0, 21) == "{\n  \"name\": \"Saal 1\",");
    BOOST_TEST(out.str().back() == '\n');
}

BOOST_AUTO_TEST_CASE(everyCharacterThatMustBeEscapedIs) {
    std::string text = "quote \" backslash \\ slash / newline \n tab \t ü 🎤";
    for (char c = 1; c < 0x20; ++c) {
        text += c;
    }
    const auto [written, read] = writtenAndRead(text);
    BOOST_TEST(read == text);
    BOOST_TEST(written.find('\x01') == std::string::npos);
    BOOST_TEST(written.find("\\u001f") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalidUtf8BecomesTheReplacementCharacter) {
    // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate, Latin-1.
    const std::string text =
        "a\x80"
        "b \xE2\x82 \xC0\xAF \xED\xA0\x80 caf\xE9 \xC3\xBC";
    const auto read = writtenAndRead(text).second;
    BOOST_TEST(read == confcap::core::toValidUtf8(text));
    BOOST_TEST(read.find("caf\xEF\xBF\xBD \xC3\xBC") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(aLongOutputReachesTheStreamWholeAndOnlyWhenDone) {
    std::ostringstream out;
    {
        JsonWriter json(out);
        json.beginArray();
        for (std::int64_t i = 0; i < 20000; ++i) {
            json.beginObject();
            json.member("n", i);
            json.member("text", "some words to make the output long");
            json.endObject();
        }
        // Most of it has reached the stream in pieces before the end, not kept in memory.
        BOOST_TEST(out.str().size() > 1000000U);
        json.endArray();
        BOOST_TEST(out.str().back() == '\n');
    }
    const auto array = Poco::JSON::Parser().parse(out.str()).extract<Poco::JSON::Array::Ptr>();
    BOOST_REQUIRE(array->size() == 20000U);
    BOOST_TEST(array->getObject(19999)->getValue<int>("n") == 19999);
}

BOOST_AUTO_TEST_SUITE_END()

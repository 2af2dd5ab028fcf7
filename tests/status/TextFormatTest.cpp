#include "confcap/core/Text.h"
#include "confcap/status/TextFormat.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(TextFormatTest)

namespace bdata = boost::unit_test::data;
using namespace confcap::status;

BOOST_AUTO_TEST_CASE(sanitizeRemovesEveryControlCharacter) {
    const std::string hostile =
        "Evil\x1b[2J\x1b]0;pwned\x07 talk\r\nnext\tline\x7f\xc2\x9b"
        "31m \xe2\x80\xae"
        "txt.exe";
    const auto clean = sanitize(hostile);
    for (const char c : clean) {
        const auto byte = static_cast<unsigned char>(c);
        BOOST_TEST((byte >= 0x20 && byte != 0x7f));
    }
    BOOST_TEST(clean.find("\xc2\x9b") == std::string::npos);      // C1 CSI
    BOOST_TEST(clean.find("\xe2\x80\xae") == std::string::npos);  // right-to-left override
    BOOST_TEST(clean.find("talk  next line") != std::string::npos);
    BOOST_TEST(sanitize("Grüße, 東京 🎥") == "Grüße, 東京 🎥");
}

BOOST_AUTO_TEST_CASE(invalidUtf8BecomesReplacementCharacters) {
    BOOST_TEST(confcap::core::toValidUtf8("a\xff"
                                          "b") ==
               "a\xEF\xBF\xBD"
               "b");
    BOOST_TEST(confcap::core::toValidUtf8("\xc0\xaf") ==
               "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
    BOOST_TEST(confcap::core::toValidUtf8("\xed\xa0\x80").find("\xed") ==
               std::string::npos);                                           // surrogate
    BOOST_TEST(confcap::core::toValidUtf8("caf\xc3") == "caf\xEF\xBF\xBD");  // cut short
    BOOST_TEST(confcap::core::toValidUtf8("Grüße") == "Grüße");
}

BOOST_AUTO_TEST_CASE(measuresAndTruncatesByCharacter) {
    BOOST_TEST(displayWidth("Grüße") == 5u);
    BOOST_TEST(displayWidth("東京") == 4u);
    BOOST_TEST(displayWidth("e\xcc\x81") == 1u);  // e + combining acute
    BOOST_TEST(truncateToWidth("Grüße aus Köln", 8) == "Grüße a…");
    BOOST_TEST(truncateToWidth("東京東京", 5) == "東京…");
    BOOST_TEST(truncateToWidth("short", 10) == "short");
    BOOST_TEST(fit("ab", 4) == "ab  ");
    BOOST_TEST(fit("ab", 4, true) == "  ab");
    BOOST_TEST(displayWidth(fit("Überwachungsstaat", 6)) == 6u);
}

BOOST_AUTO_TEST_SUITE_END()

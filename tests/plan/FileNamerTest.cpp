#include "confcap/plan/FileNamer.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "confcap/core/Error.h"

BOOST_AUTO_TEST_SUITE(FileNamerTest)

namespace bdata = boost::unit_test::data;
namespace fs = std::filesystem;
using confcap::plan::fileNameFor;
using confcap::plan::fileStemFor;
using confcap::plan::kDefaultNamePattern;
using confcap::plan::NameFields;

namespace {

NameFields sampleFields() {
    NameFields f;
    f.conference = "38th Chaos Communication Congress";
    f.acronym = "38c3";
    f.day = "1";
    f.date = "2024-12-27";
    f.time = "10:30";
    f.room = "Saal 1";
    f.id = "1234";
    f.guid = "6d7a5b8e-0000-4000-8000-000000000001";
    f.slug = "38c3-1234-opening";
    f.title = "Opening";
    f.subtitle = "";
    f.track = "CCC";
    f.persons = "Alice, Bob";
    f.lang = "en";
    f.ext = "ts";
    return f;
}

/// Strict UTF-8 check: no overlongs, surrogates or code points above U+10FFFF.
bool validUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        char32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 2;
            cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3;
            cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + n > s.size()) {
            return false;
        }
        for (std::size_t k = 1; k < n; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (next & 0x3Fu);
        }
        const char32_t minimum = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
        if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n;
    }
    return true;
}

bool hasControlOrBidi(std::string_view s) {
    const std::vector<std::string> bad = {"\xc2\x85",     "\xc2\x9b",     "\xe2\x80\xa8",
                                          "\xe2\x80\xa9", "\xe2\x80\xae", "\xe2\x81\xa6",
                                          "\xe2\x81\xa9"};
    for (const auto& b : bad) {
        if (s.find(b) != std::string_view::npos) {
            return true;
        }
    }
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7F;
    });
}

/// A temporary folder removed at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        std::random_device random;
        path = fs::temp_directory_path() / ("confcap-namer-" + std::to_string(random()));
        fs::create_directories(path / "out");
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

const std::vector<std::string> kHostileTitles = {
    "../../etc/passwd",
    "..",
    ".",
    ".hidden",
    "...",
    "/",
    "\\..\\..\\windows\\system32",
    "a/../../b",
    "Talk\x01\x1b[31m red\x7f\n second line\r\t",
    "C1 \xc2\x85 next \xc2\x9b csi",
    "line\xe2\x80\xa8sep\xe2\x80\xa9para",
    "abc\xe2\x80\xaegnp.exe",
    "\xe2\x81\xa6isolate\xe2\x81\xa9",
    "caf\xe9 \xff\xfe \xc0\xaf overlong \xed\xa0\x80 surrogate \xf4\x90\x80\x80 big",
    "\xe2\x82",
    std::string(10 * 1024, 'x'),
    [] {
        std::string s;
        for (int i = 0; i < 3000; ++i) {
            s += "\xc3\xa4";  // ä
        }
        return s;
    }(),
    [] {
        std::string s = "x";
        for (int i = 0; i < 1000; ++i) {
            s += "\xf0\x9f\x8e\x89";  // 🎉
        }
        return s;
    }(),
    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d",  // שלום עולם
    "\xf0\x9f\x8e\x89 Party \xc3\x9c"
    "ber Emoji",
    "CON",
    "nul",
    "COM1",
    "lpt9.txt",
    "a<b>c:d\"e|f?g*h",
    "trailing dots...",
    "trailing spaces   ",
    "",
    "   ",
    std::string("nul\0byte", 8),
};

const std::vector<std::string> kPatterns = {std::string(kDefaultNamePattern), "{title}.{ext}",
                                            "{title}/{room}/{title}", "{title}",
                                            "{acronym}/{title} - {persons}.{ext}"};

}  // namespace

BOOST_AUTO_TEST_CASE(fillsTheDefaultPattern) {
    const auto name = fileNameFor(sampleFields(), kDefaultNamePattern, false);
    BOOST_TEST(name.generic_string() == "2024-12-27/Saal 1/10:30 Opening.ts");
    BOOST_TEST(name.is_relative());
}

BOOST_AUTO_TEST_CASE(fillsEveryField) {
    const auto name = fileNameFor(sampleFields(),
                                  "{conference}|{acronym}|{day}|{date}|{time}|{room}|{id}|{guid}|"
                                  "{slug}|{title}|{subtitle}|{track}|{persons}|{lang}.{ext}",
                                  false);
    BOOST_TEST(name.generic_string() ==
               "38th Chaos Communication Congress|38c3|1|2024-12-27|10:30|Saal 1|1234|"
               "6d7a5b8e-0000-4000-8000-000000000001|38c3-1234-opening|Opening||CCC|"
               "Alice, Bob|en.ts");
}

BOOST_AUTO_TEST_CASE(unknownFieldIsAUsageErrorNamingIt) {
    try {
        fileNameFor(sampleFields(), "{date}/{speker}.{ext}", false);
        BOOST_FAIL("no error for {speker}");
    } catch (const confcap::core::UsageError& e) {
        BOOST_TEST(std::string(e.what()).find("{speker}") != std::string::npos);
        BOOST_TEST(std::string(e.what()).find("{persons}") != std::string::npos);
    }
}

BOOST_DATA_TEST_CASE(badPatternsAreUsageErrors,
                     bdata::make({"../x", "/abs", "/{title}", "a/../b", "./x", "{date}/..", "a//b",
                                  "a/", "{title", "title}", "{ti{tle}", "x\\y", "..\\{title}", "",
                                  ".hidden/{title}", ".{ext}"}),
                     pattern) {
    BOOST_CHECK_THROW(fileNameFor(sampleFields(), pattern, false), confcap::core::UsageError);
}

BOOST_DATA_TEST_CASE(hostileTitlesStayInsideTheOutputFolder,
                     bdata::make(kHostileTitles) * bdata::make(kPatterns) *
                         bdata::make({false, true}),
                     title, pattern, windowsSafe) {
    TempDir temp;
    const auto out = temp.path / "out";
    auto fields = sampleFields();
    fields.title = title;
    fields.room = title;
    fields.persons = title;
    const auto name = fileNameFor(fields, pattern, windowsSafe);
    BOOST_TEST_REQUIRE(name.is_relative());
    for (const auto& component : name) {
        const auto text = component.string();
        BOOST_TEST(!text.empty());
        BOOST_TEST(text != ".");
        BOOST_TEST(text != "..");
        BOOST_TEST(text.front() != '.');
        BOOST_TEST(text.size() <= confcap::plan::kMaxComponentBytes);
        BOOST_TEST(validUtf8(text));
        BOOST_TEST(!hasControlOrBidi(text));
        BOOST_TEST(text.find('\\') == std::string::npos);
        if (windowsSafe) {
            BOOST_TEST(text.find_first_of("<>:\"|?*") == std::string::npos);
            BOOST_TEST(text.back() != '.');
            BOOST_TEST(text.back() != ' ');
        }
    }
    // The path resolves inside the output folder, and a real file can be created there.
    const auto full = fs::weakly_canonical(out / name);
    const auto root = fs::weakly_canonical(out);
    const auto relative = full.lexically_relative(root);
    BOOST_TEST(!relative.empty());
    BOOST_TEST(*relative.begin() != "..");
    fs::create_directories(full.parent_path());
    std::ofstream(full) << "x";
    BOOST_TEST(fs::is_regular_file(full));
    BOOST_TEST(fs::weakly_canonical(full) == full);
}

BOOST_DATA_TEST_CASE(
    sanitizesValues,
    bdata::make({"../../etc/passwd", "..", ".hidden", "Talk\x01\x1b[31m\x7f", "two\nlines",
                 "C1\xc2\x85"
                 "x\xc2\x9by",
                 "abc\xe2\x80\xaegnp", "caf\xe9",
                 "\xc3\x9c"
                 "ber \xf0\x9f\x8e\x89",
                 "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", "AC/DC", "  padded  ", "CON", "a<b>:c"}) ^
        bdata::make({"_.._etc_passwd.ts", "_.ts", "hidden.ts", "Talk[31m.ts", "two lines.ts",
                     "C1 xy.ts", "abcgnp.ts", "caf\xef\xbf\xbd.ts",
                     "\xc3\x9c"
                     "ber \xf0\x9f\x8e\x89.ts",
                     "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d.ts", "AC_DC.ts", "padded.ts", "CON.ts",
                     "a<b>:c.ts"}),
    title, expected) {
    auto fields = sampleFields();
    fields.title = title;
    BOOST_TEST(fileNameFor(fields, "{title}.{ext}", false).string() == expected);
}

BOOST_DATA_TEST_CASE(windowsSafeNames,
                     bdata::make({"CON", "nul", "Com1", "LPT9.txt", "CONIN$", "a<b>:c\"d|e?f*g",
                                  "dots...", "spaces   x  ", "COM10", "console"}) ^
                         bdata::make({"_CON.ts", "_nul.ts", "_Com1.ts", "_LPT9.txt.ts",
                                      "_CONIN$.ts", "a_b__c_d_e_f_g.ts", "dots.ts", "spaces   x.ts",
                                      "COM10.ts", "console.ts"}),
                     title, expected) {
    auto fields = sampleFields();
    fields.title = title;
    BOOST_TEST(fileNameFor(fields, "{title}.{ext}", true).string() == expected);
}

BOOST_AUTO_TEST_CASE(windowsSafeReplacesTheTimeColonAndReservedFolders) {
    auto fields = sampleFields();
    fields.room = "aux";
    fields.title = "What?";
    BOOST_TEST(fileNameFor(fields, kDefaultNamePattern, true).generic_string() ==
               "2024-12-27/_aux/10_30 What_.ts");
    BOOST_TEST(fileNameFor(fields, kDefaultNamePattern, false).generic_string() ==
               "2024-12-27/aux/10:30 What?.ts");
}

BOOST_AUTO_TEST_CASE(emptyComponentsBecomeUnderscore) {
    auto fields = sampleFields();
    fields.room = "";
    fields.date = "\x01\x02";
    fields.title = "";
    BOOST_TEST(fileNameFor(fields, "{date}/{room}/{title}.{ext}", false).generic_string() ==
               "_/_/_.ts");
}

BOOST_AUTO_TEST_CASE(longTitleIsCutKeepingTimeAndExtension) {
    auto fields = sampleFields();
    std::string title;
    for (int i = 0; i < 3000; ++i) {
        title += "\xc3\xa4";
    }
    fields.title = title;
    fields.ext = "webm";
    const auto name = fileNameFor(fields, kDefaultNamePattern, false);
    const auto leaf = name.filename().string();
    BOOST_TEST(leaf.size() <= confcap::plan::kMaxComponentBytes);
    BOOST_TEST(leaf.size() >= confcap::plan::kMaxComponentBytes - 20);
    BOOST_TEST(leaf.starts_with("10:30 \xc3\xa4"));
    BOOST_TEST(leaf.ends_with("\xc3\xa4.webm"));
    BOOST_TEST(validUtf8(leaf));
}

BOOST_AUTO_TEST_CASE(longestFieldGivesWayFirst) {
    auto fields = sampleFields();
    fields.title = std::string(500, 't');
    fields.persons = "Alice";
    const auto leaf = fileNameFor(fields, "{title} - {persons}.{ext}", false).string();
    BOOST_TEST(leaf.size() <= confcap::plan::kMaxComponentBytes);
    BOOST_TEST(leaf.ends_with("t - Alice.ts"));
}

BOOST_DATA_TEST_CASE(stemPlusExtensionIsTheName,
                     bdata::make({std::string("Opening"), std::string(10 * 1024, 'y'),
                                  std::string("CON"), std::string("dots..."),
                                  std::string(".hidden")}) *
                         bdata::make({"ts", "webm", "mp3"}) * bdata::make({false, true}),
                     title, ext, windowsSafe) {
    auto fields = sampleFields();
    fields.title = title;
    fields.ext = ext;
    auto stem = fileStemFor(fields, kDefaultNamePattern, windowsSafe);
    stem += std::string(".") + ext;
    BOOST_TEST(stem == fileNameFor(fields, kDefaultNamePattern, windowsSafe));
}

BOOST_AUTO_TEST_CASE(stemLeavesRoomForAnExtensionWithoutExtInThePattern) {
    auto fields = sampleFields();
    fields.title = std::string(1000, 'z');
    const auto stem = fileStemFor(fields, "{title}", false);
    BOOST_TEST(stem.string().size() + std::string(".webm").size() <=
               confcap::plan::kMaxComponentBytes);
    BOOST_TEST(fileNameFor(fields, "{title}", false).string().size() ==
               confcap::plan::kMaxComponentBytes);
}

// The "_" before a reserved name came after the shortening: a 201-byte component (issue 11).
BOOST_DATA_TEST_CASE(aReservedNameCutToTheLimitStaysWithinIt,
                     bdata::make({std::string("CON.") + std::string(300, 'a'),
                                  std::string("nul ") + std::string(300, '.'),
                                  std::string("COM1.") + std::string(300, '\xe4')}) *
                         bdata::make({"{room}/{title}.{ext}", "{title}", "{room}"}),
                     value, pattern) {
    auto fields = sampleFields();
    fields.room = value;
    fields.title = value;
    for (const auto& name :
         {fileNameFor(fields, pattern, true), fileStemFor(fields, pattern, true)}) {
        for (const auto& component : name) {
            const auto text = component.string();
            BOOST_TEST(text.size() <= confcap::plan::kMaxComponentBytes, text.size());
            BOOST_TEST(text.front() == '_', text);
            BOOST_TEST(text.back() != '.');
            BOOST_TEST(text.back() != ' ');
            BOOST_TEST(validUtf8(text));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

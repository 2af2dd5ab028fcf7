#include "confcap/source/RecorderLines.h"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(RecorderLinesTest)

using confcap::source::RecorderLines;

namespace {

// Keeps the notices; nothing else is told.
class Notices : public confcap::source::SourceOutput {
public:
    void connected(const confcap::core::StreamFormat&, const confcap::source::Resume&) override {}
    void beginTrack(const confcap::core::TrackInfo&, const confcap::core::StreamFormat&) override {}
    void write(const confcap::core::Chunk&) override {}
    void lost(const confcap::core::Gap&) override {}
    void notice(const std::string& message) override { told.push_back(message); }
    void variantSwitched(const confcap::core::VariantSwitch&) override {}

    std::vector<std::string> told;
};

}  // namespace

BOOST_AUTO_TEST_CASE(each_line_is_a_notice_named_after_the_program) {
    Notices out;
    RecorderLines lines("ffmpeg", out);
    lines.feed("Input #0, hls\r\n  Dura");
    lines.feed("tion: N/A\n\n   \nbell\x07here");
    BOOST_TEST(out.told ==
               (std::vector<std::string>{"ffmpeg: Input #0, hls", "ffmpeg: Duration: N/A"}));
    lines.flush();
    BOOST_TEST(out.told.back() == "ffmpeg: bell here");
    BOOST_TEST(lines.lastLine() == "bell here");
}

BOOST_AUTO_TEST_CASE(a_repeat_counter_is_not_the_last_line) {
    Notices out;
    RecorderLines lines("ffmpeg", out);
    lines.feed("Connection refused\nLast message repeated 2 times\n");
    BOOST_TEST(lines.lastLine() == "Connection refused");
    BOOST_TEST(out.told.size() == 2u);
}

BOOST_AUTO_TEST_CASE(at_most_twenty_lines_a_minute_and_the_rest_counted) {
    Notices out;
    RecorderLines lines("sh", out);
    for (int i = 1; i <= 33; ++i) {
        lines.feed("line " + std::to_string(i) + "\n");
    }
    BOOST_TEST(out.told.size() == 20u);
    BOOST_TEST(lines.lastLine() == "line 33");
    lines.flush();
    BOOST_TEST(out.told.back() == "sh: 13 more lines were not logged");
}

BOOST_AUTO_TEST_CASE(a_long_line_is_cut) {
    Notices out;
    RecorderLines lines("sh", out);
    lines.feed(std::string(1000, 'a') + "\n");
    BOOST_TEST(lines.lastLine().size() == 400u);
}

BOOST_AUTO_TEST_SUITE_END()

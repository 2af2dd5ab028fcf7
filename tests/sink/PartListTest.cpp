// The part list's text both ways: what a sink saves reads back as the same list, lists of
// version 1 (one file per piece) still read, and text that is not a part list is told apart.
// The part log's lines: read back, and added to the list they continue and to no other.
#include "confcap/sink/PartList.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

BOOST_AUTO_TEST_SUITE(PartListTest)

using confcap::core::HlsResumePoint;
using confcap::sink::applyLogLine;
using confcap::sink::PartList;
using confcap::sink::partListFrom;
using confcap::sink::partListText;
using confcap::sink::PartLogLine;
using confcap::sink::partLogLineFrom;
using confcap::sink::partLogText;
using confcap::sink::RecordedGap;
using confcap::sink::SegmentMark;
using namespace std::chrono_literals;

namespace {

const std::chrono::system_clock::time_point kStart{1'735'295'100s};

PartList aList() {
    PartList list;
    list.streamUrl = "http://127.0.0.1/saal1.m3u8";
    list.windowStart = kStart;
    list.windowEnd = kStart + 45min;
    list.minBytes = 1000;
    list.minDuration = 60s;
    list.talk.title = "Opening";
    list.talk.guid = "g-1";
    list.pieces.push_back(
        {{{0, "talk.ts.part", {"ts", true}, "", "", {{100, 0, 4.0}, {101, 188, 4.0}}},
          {1, "talk.a1.aac.part", {"aac", false}, "English", "en", {}}},
         false});
    list.pieces.push_back({{{0, "talk.ts.part2", {"ts", true}, "", "", {}}}, true});
    list.progress.coveredSeconds = 12.5;
    list.progress.measured = true;
    list.progress.reconnects = 2;
    RecordedGap gap;
    gap.at = kStart + 90s;
    gap.offset = 90s;
    gap.length = 2500ms;
    gap.cause = "connection lost";
    gap.detail = "The server answered HTTP 503.";
    gap.firstSequence = 102;
    gap.lastSequence = 103;
    list.progress.gaps.push_back(gap);
    list.firstData = kStart + 1s;
    list.lastData = kStart + 100s;
    list.notes = {"a note"};
    list.resume = {{0, 104, "seg104.ts"}};
    list.logMark = "00c0ffee00c0ffee";
    return list;
}

/// The part log's line for segment 105 of aList()'s last piece, under the list's mark.
PartLogLine aLogLine() {
    PartLogLine line;
    line.mark = "00c0ffee00c0ffee";
    line.file = "talk.ts.part2";
    line.segment = SegmentMark{105, 0, 4.0};
    line.resume = HlsResumePoint{0, 106, "seg105.ts"};
    line.lastData = kStart + 104s;
    line.coveredSeconds = 16.5;
    return line;
}

}  // namespace

BOOST_AUTO_TEST_CASE(whatIsSavedReadsBackTheSame) {
    const auto list = aList();
    const auto read = partListFrom(partListText(list, "Room/talk"));
    BOOST_REQUIRE(read.has_value());
    BOOST_TEST(read->streamUrl == list.streamUrl);
    BOOST_TEST((read->windowStart == list.windowStart && read->windowEnd == list.windowEnd));
    BOOST_TEST(read->minBytes == list.minBytes);
    BOOST_TEST(read->minDuration.count() == 60);
    BOOST_TEST((read->talk == list.talk));
    BOOST_TEST_REQUIRE(read->pieces.size() == 2u);
    BOOST_TEST(read->pieces[0].tracks.size() == 2u);
    BOOST_TEST((read->pieces[0].tracks[0].segments == list.pieces[0].tracks[0].segments));
    BOOST_TEST(read->pieces[0].tracks[1].name == "English");
    BOOST_TEST(read->pieces[1].newTimeline);
    BOOST_TEST_REQUIRE(read->progress.gaps.size() == 1u);
    const auto& gap = read->progress.gaps[0];
    BOOST_TEST((gap.at == kStart + 90s));
    BOOST_TEST(gap.offset.count() == 90'000);  // from the window's start
    BOOST_TEST(gap.length.count() == 2500);
    BOOST_TEST(gap.detail == "The server answered HTTP 503.");
    BOOST_TEST(*gap.lastSequence == 103);
    BOOST_TEST(read->progress.reconnects == 2);
    BOOST_TEST((read->firstData == list.firstData && read->lastData == list.lastData));
    BOOST_TEST(read->notes.size() == 1u);
    BOOST_TEST_REQUIRE(read->resume.size() == 1u);
    BOOST_TEST(read->resume[0].nextSequence == 104);
    BOOST_TEST(read->logMark == "00c0ffee00c0ffee");
    // Read and written again, the text is the same.
    BOOST_TEST(partListText(*read, "Room/talk") == partListText(list, "Room/talk"));
}

BOOST_AUTO_TEST_CASE(aVersionOneListHasOneFilePerPiece) {
    const auto read = partListFrom(
        R"({"confcapPartSet": 1, "pieces": [{"file": "talk.ts.part", "extension": "ts"}]})");
    BOOST_REQUIRE(read.has_value());
    BOOST_TEST_REQUIRE(read->pieces.size() == 1u);
    BOOST_TEST(read->pieces[0].tracks.at(0).file == "talk.ts.part");
}

BOOST_AUTO_TEST_CASE(otherJsonIsNoPartListAndDamageIsTold) {
    BOOST_TEST(!partListFrom(R"({"talk": {}})").has_value());
    BOOST_TEST(!partListFrom(R"({"confcapPartSet": 3})").has_value());
    BOOST_TEST(!partListFrom("[1, 2]").has_value());
    BOOST_CHECK_THROW(partListFrom(R"({"confcapPartSet": 2, "pieces": )"), std::invalid_argument);
    BOOST_CHECK_THROW(partListFrom(R"({"confcapPartSet": 2, "gaps": [1]})"), std::invalid_argument);
    // A time the clock cannot hold.
    BOOST_CHECK_THROW(partListFrom(R"({"confcapPartSet": 2, "lastDataMs": 179666131335008000})"),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(aLogLineReadsBackTheSame) {
    auto line = aLogLine();
    line.segment = SegmentMark{105, 376, 3.84};
    line.coveredSeconds = 14.34;
    line.measured = true;
    const auto text = partLogText(line);
    BOOST_TEST(text.back() == '\n');
    BOOST_TEST(text.find('\n') == text.size() - 1);
    const auto read = partLogLineFrom(text);
    BOOST_REQUIRE(read.has_value());
    BOOST_TEST(read->mark == line.mark);
    BOOST_TEST(read->file == "talk.ts.part2");
    BOOST_TEST(read->track == 0);
    BOOST_TEST((read->segment == line.segment));
    BOOST_REQUIRE(read->resume.has_value());
    BOOST_TEST(read->resume->nextSequence == 106);
    BOOST_TEST(read->resume->lastUri == "seg105.ts");
    BOOST_TEST((read->lastData == line.lastData));
    BOOST_TEST(read->coveredSeconds == 14.34);
    BOOST_TEST(read->measured);
    // A progressive stream's write: no segment, no resume point.
    PartLogLine plain = line;
    plain.segment.reset();
    plain.resume.reset();
    const auto readPlain = partLogLineFrom(partLogText(plain));
    BOOST_REQUIRE(readPlain.has_value());
    BOOST_TEST(!readPlain->segment.has_value());
    BOOST_TEST(!readPlain->resume.has_value());
    // What a process that died left of a line, and lines of something else.
    BOOST_TEST(!partLogLineFrom(text.substr(0, text.size() / 2)).has_value());
    BOOST_TEST(!partLogLineFrom(R"({"mark": "x"})").has_value());
    BOOST_TEST(!partLogLineFrom("").has_value());
    // A time the clock cannot hold (found by fuzz/run.sh part_log).
    BOOST_TEST(!partLogLineFrom(R"({"mark": "m", "file": "f", "lastDataMs": 179666131335008000})")
                    .has_value());
}

BOOST_AUTO_TEST_CASE(aLogLineContinuesOnlyTheListItsMarkNames) {
    const auto line = aLogLine();

    auto list = aList();
    BOOST_TEST(applyLogLine(list, line));
    BOOST_TEST(applyLogLine(list, [&] {
        auto next = line;
        next.segment = SegmentMark{106, 188, 4.0};
        next.resume->nextSequence = 107;
        next.lastData += 4s;
        next.coveredSeconds = 20.5;
        return next;
    }()));
    const auto& segments = list.pieces.back().tracks.front().segments;
    BOOST_TEST_REQUIRE(segments.size() == 2u);
    BOOST_TEST(segments[0].sequence == 105);
    BOOST_TEST(segments[1].offset == 188u);
    BOOST_TEST(list.pieces.front().tracks.front().segments.size() == 2u);  // as it was
    BOOST_TEST_REQUIRE(list.resume.size() == 1u);
    BOOST_TEST(list.resume[0].nextSequence == 107);
    BOOST_TEST((list.lastData == kStart + 108s));
    BOOST_TEST(list.progress.coveredSeconds == 20.5);

    // A line logged before the list was saved again, one for a file of an earlier piece, and
    // any line for a list without a mark (written by an older build) change nothing.
    auto untouched = aList();
    auto earlier = line;
    earlier.mark = "0123456789abcdef";
    BOOST_TEST(!applyLogLine(untouched, earlier));
    auto earlierPiece = line;
    earlierPiece.file = "talk.ts.part";
    BOOST_TEST(!applyLogLine(untouched, earlierPiece));
    untouched.logMark.clear();
    BOOST_TEST(!applyLogLine(untouched, line));
    auto unmarked = aList();
    unmarked.logMark.clear();
    BOOST_TEST(partListText(untouched, "Room/talk") == partListText(unmarked, "Room/talk"));
}

BOOST_AUTO_TEST_SUITE_END()

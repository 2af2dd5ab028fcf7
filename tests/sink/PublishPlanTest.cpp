// planPublish by table: which pieces are muxed, joined, tagged or kept apart, the names they
// get, and what is placed instead when a step fails.
#include "confcap/sink/PublishPlan.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(PublishPlanTest)

namespace data = boost::unit_test::data;
using confcap::sink::Container;
using confcap::sink::JoinStep;
using confcap::sink::PartTrack;
using confcap::sink::PieceOnDisk;
using confcap::sink::Placement;
using confcap::sink::TagStep;

namespace {

const std::filesystem::path kFolder = "/rec/conf";
const std::string kLeaf = "Talk";

confcap::core::StreamFormat formatOf(const std::string& extension) {
    confcap::core::StreamFormat format;
    format.extension = extension;
    return format;
}

/// A piece whose main track is `extension` and whose renditions hold `renditionBytes`.
PieceOnDisk piece(const std::string& extension, bool newTimeline = false,
                  std::vector<std::uint64_t> renditionBytes = {},
                  std::vector<std::string> languages = {}) {
    PieceOnDisk onDisk;
    onDisk.piece.newTimeline = newTimeline;
    PartTrack main;
    main.format = formatOf(extension);
    onDisk.piece.tracks.push_back(main);
    onDisk.files.push_back(kFolder / ("Talk." + extension + ".part"));
    onDisk.bytes.push_back(1000);
    for (std::size_t t = 0; t < renditionBytes.size(); ++t) {
        PartTrack track;
        track.track = static_cast<int>(t + 1);
        track.format = formatOf("aac");
        track.name = "Track " + std::to_string(t + 1);
        track.language = t < languages.size() ? languages[t] : "";
        onDisk.piece.tracks.push_back(track);
        onDisk.files.push_back(kFolder / ("Talk.a" + std::to_string(t + 1) + ".aac.part"));
        onDisk.bytes.push_back(renditionBytes[t]);
    }
    return onDisk;
}

struct JoinRow {
    const char* name;
    std::vector<PieceOnDisk> pieces;
    JoinStep::Kind kind;
    bool rebase;
    std::vector<std::string> apartSuffixes;
    const char* note;
};

std::ostream& operator<<(std::ostream& out, const JoinRow& row) {
    return out << row.name;
}

const std::vector<JoinRow> kJoins = {
    {"one piece is the file", {piece("ts")}, JoinStep::Kind::One, false, {".part1.ts"}, ""},
    {"pieces of one format are merged",
     {piece("ts"), piece("ts")},
     JoinStep::Kind::Merge,
     false,
     {".part1.ts", ".part2.ts"},
     ""},
    {"a later piece on a new timeline is rebased",
     {piece("ts"), piece("ts", true)},
     JoinStep::Kind::Merge,
     true,
     {".part1.ts", ".part2.ts"},
     ""},
    {"a first piece on a new timeline is not",
     {piece("ts", true), piece("ts")},
     JoinStep::Kind::Merge,
     false,
     {".part1.ts", ".part2.ts"},
     ""},
    {"pieces of different formats stay apart",
     {piece("ts"), piece("mp4"), piece("ts")},
     JoinStep::Kind::Apart,
     false,
     {".part1.ts", ".part2.mp4", ".part3.ts"},
     "The pieces have different formats (ts, mp4, ts), so they are kept as separate files."},
};

struct TagRow {
    const char* name;
    std::string extension;
    Container container;
    bool tags;
    TagStep::Kind kind;
    const char* finalExtension;
    const char* tagged;
    const char* apartNote;
};

std::ostream& operator<<(std::ostream& out, const TagRow& row) {
    return out << row.name;
}

const std::vector<TagRow> kTags = {
    {"no tags asked for", "ts", Container::Matroska, false, TagStep::Kind::None, "", "", ""},
    {"MPEG-TS as recorded is named in place", "ts", Container::AsRecorded, true,
     TagStep::Kind::ServiceInPlace, "ts", "",
     "The pieces are kept as separate files, so they hold no tags."},
    {"another stream as recorded is remuxed into its own container", "webm", Container::AsRecorded,
     true, TagStep::Kind::Remux, "webm", "/rec/conf/Talk.webm.tag.part",
     "The pieces are kept as separate files, so they hold no tags."},
    {"MPEG-TS to mkv", "ts", Container::Matroska, true, TagStep::Kind::Remux, "mkv",
     "/rec/conf/Talk.mkv.tag.part",
     "The pieces are kept as separate files, so they hold no tags and were not remuxed to mkv."},
    {"MPEG-TS to mp4", "ts", Container::Mp4, true, TagStep::Kind::Remux, "mp4",
     "/rec/conf/Talk.mp4.tag.part",
     "The pieces are kept as separate files, so they hold no tags and were not remuxed to mp4."},
};

struct NameRow {
    const char* language;
    int track;
    const char* suffix;
};

std::ostream& operator<<(std::ostream& out, const NameRow& row) {
    return out << '"' << row.language << '"';
}

const std::vector<NameRow> kRenditionNames = {
    {"deu", 1, "audio-deu"},
    {"en-GB", 2, "audio-en-gb"},
    {"", 2, "audio2"},
    {"??", 3, "audio3"},
    {"a-language-name-far-too-long", 1, "audio1"},
};

}  // namespace

BOOST_DATA_TEST_CASE(joins, data::make(kJoins), row) {
    const auto plan =
        confcap::sink::planPublish(kFolder, kLeaf, row.pieces, Container::AsRecorded, false);
    BOOST_TEST((plan.join.kind == row.kind));
    BOOST_TEST(plan.join.rebase == row.rebase);
    BOOST_TEST(plan.join.extension == "ts");
    BOOST_TEST(plan.join.apartSuffixes == row.apartSuffixes, boost::test_tools::per_element());
    BOOST_TEST(plan.join.note == row.note);
    BOOST_TEST(plan.join.merged == (row.kind == JoinStep::Kind::Merge
                                        ? kFolder / "Talk.ts.merge.part"
                                        : std::filesystem::path()));
    BOOST_TEST((plan.tag.kind == TagStep::Kind::None));
}

BOOST_DATA_TEST_CASE(tagging, data::make(kTags), row) {
    const auto plan =
        confcap::sink::planPublish(kFolder, kLeaf, {piece(row.extension)}, row.container, row.tags);
    BOOST_TEST((plan.tag.kind == row.kind));
    BOOST_TEST((plan.tag.container == row.container));
    BOOST_TEST(plan.tag.extension == row.finalExtension);
    BOOST_TEST(plan.tag.tagged == std::filesystem::path(row.tagged));
    BOOST_TEST(plan.tag.apartNote == row.apartNote);
}

BOOST_DATA_TEST_CASE(rendition_names, data::make(kRenditionNames), row) {
    PartTrack track;
    track.track = row.track;
    track.language = row.language;
    BOOST_TEST(confcap::sink::renditionSuffix(track) == row.suffix);
}

BOOST_AUTO_TEST_CASE(a_piece_without_renditions_is_its_main_file) {
    const auto plan = confcap::sink::planPublish(kFolder, kLeaf, {piece("ts", false, {0, 0})},
                                                 Container::AsRecorded, false);
    BOOST_REQUIRE_EQUAL(plan.pieces.size(), 1u);
    BOOST_TEST(plan.pieces[0].file == kFolder / "Talk.ts.part");
    BOOST_TEST(plan.pieces[0].mux.empty());
    BOOST_TEST(plan.pieces[0].unmuxed.empty());
}

BOOST_AUTO_TEST_CASE(renditions_with_data_are_muxed_or_else_placed_beside_the_file) {
    const auto plan = confcap::sink::planPublish(
        kFolder, kLeaf, {piece("ts"), piece("ts", false, {500, 0, 700}, {"deu", "fra", ""})},
        Container::AsRecorded, false);
    BOOST_REQUIRE_EQUAL(plan.pieces.size(), 2u);
    BOOST_TEST(plan.pieces[0].mux.empty());
    const auto& step = plan.pieces[1];
    BOOST_REQUIRE_EQUAL(step.mux.size(), 3u);
    BOOST_TEST(step.mux[0].file == kFolder / "Talk.ts.part");
    BOOST_TEST(step.mux[1].file == kFolder / "Talk.a1.aac.part");
    BOOST_TEST(step.mux[1].language == "deu");
    BOOST_TEST(step.mux[1].name == "Track 1");
    BOOST_TEST(step.mux[2].file == kFolder / "Talk.a3.aac.part");
    BOOST_TEST(step.muxed == kFolder / "Talk.ts.mux2.part");
    const std::vector<Placement> unmuxed = {{kFolder / "Talk.a1.aac.part", ".audio-deu.part2.aac"},
                                            {kFolder / "Talk.a3.aac.part", ".audio3.part2.aac"}};
    BOOST_TEST((step.unmuxed == unmuxed));
}

BOOST_AUTO_TEST_CASE(a_single_piece_names_its_renditions_without_a_part_number) {
    const auto plan = confcap::sink::planPublish(
        kFolder, kLeaf, {piece("ts", false, {500}, {"en"})}, Container::AsRecorded, false);
    BOOST_REQUIRE_EQUAL(plan.pieces[0].unmuxed.size(), 1u);
    BOOST_TEST(plan.pieces[0].unmuxed[0].suffix == ".audio-en.aac");
    BOOST_TEST(plan.pieces[0].muxed == kFolder / "Talk.ts.mux1.part");
}

BOOST_AUTO_TEST_CASE(names_are_tried_with_a_number_after_the_first) {
    BOOST_TEST(confcap::sink::candidateStem("Talk", 1) == "Talk");
    BOOST_TEST(confcap::sink::candidateStem("Talk", 2) == "Talk (2)");
    BOOST_TEST(confcap::sink::candidateStem("Talk", 10) == "Talk (10)");
}

BOOST_AUTO_TEST_CASE(nothing_to_publish_is_refused) {
    BOOST_CHECK_THROW(confcap::sink::planPublish(kFolder, kLeaf, {}, Container::AsRecorded, false),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

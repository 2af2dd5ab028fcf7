// MP4 box headers, box walks and the fields of the boxes a fragmented stream's times live in, by
// table.
#include "confcap/media/Mp4Boxes.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "confcap/media/Bytes.h"

BOOST_AUTO_TEST_SUITE(Mp4BoxesTest)

namespace data = boost::unit_test::data;
using confcap::media::ElementHeader;
using confcap::media::mp4Boxes;
using confcap::media::mp4BoxHeader;
using confcap::media::mp4Children;
using confcap::media::mp4Type;
using Status = ElementHeader::Status;

namespace {

std::string be(std::uint64_t value, std::size_t width) {
    std::string out(width, '\0');
    confcap::media::putBigEndian(out, 0, width, value);
    return out;
}

std::string box(const std::string& type, const std::string& body) {
    return be(8 + body.size(), 4) + type + body;
}

/// A full box's version and flags.
std::string full(unsigned version, std::uint32_t flags) {
    return be(version, 1) + be(flags, 3);
}

struct Header {
    const char* name;
    std::string bytes;
    Status status;
    std::uint64_t id;
    std::optional<std::uint64_t> size;
    std::size_t length;
};

std::ostream& operator<<(std::ostream& out, const Header& h) {
    return out << h.name;
}

const std::vector<Header> kHeaders = {
    {"a 32-bit size", box("moov", std::string(20, 'x')), Status::Done, mp4Type("moov"), 20, 8},
    {"a 64-bit size", be(1, 4) + "mdat" + be(116, 8), Status::Done, mp4Type("mdat"), 100, 16},
    {"size 0 runs to the end", be(0, 4) + "mdat", Status::Done, mp4Type("mdat"), std::nullopt, 8},
    {"smaller than its header", be(7, 4) + "free", Status::Bad, mp4Type("free"), std::nullopt, 8},
    {"a 64-bit size smaller than its header", be(1, 4) + "mdat" + be(15, 8), Status::Bad,
     mp4Type("mdat"), std::nullopt, 16},
    {"seven bytes", std::string("\0\0\0\x08moo", 7), Status::More, 0, std::nullopt, 0},
    {"a 64-bit size cut short", be(1, 4) + "mdat" + be(0, 4), Status::More, mp4Type("mdat"),
     std::nullopt, 8},
};

struct Walk {
    const char* name;
    std::string bytes;
    std::vector<std::uint32_t> types;
};

std::ostream& operator<<(std::ostream& out, const Walk& w) {
    return out << w.name;
}

const std::vector<Walk> kWalks = {
    {"boxes one after another",
     box("ftyp", "isom") + box("moov", "") + box("mdat", "abc"),
     {mp4Type("ftyp"), mp4Type("moov"), mp4Type("mdat")}},
    {"the last one runs to the end",
     box("moof", "") + be(0, 4) + "mdat" + "rest",
     {mp4Type("moof"), mp4Type("mdat")}},
    {"a 64-bit size",
     be(1, 4) + "mdat" + be(18, 8) + "ab" + box("free", ""),
     {mp4Type("mdat"), mp4Type("free")}},
    {"stops at one that does not fit",
     box("moov", "") + be(100, 4) + "mdat" + "short",
     {mp4Type("moov")}},
    {"stops at one smaller than its header",
     box("moov", "") + be(4, 4) + "free" + box("free", ""),
     {mp4Type("moov")}},
    {"nothing in a few bytes", "abc", {}},
};

}  // namespace

BOOST_DATA_TEST_CASE(box_headers, data::make(kHeaders), h) {
    const auto read = mp4BoxHeader(h.bytes);
    BOOST_TEST((read.status == h.status));
    if (h.status == Status::Done) {
        BOOST_TEST(read.id == h.id);
        BOOST_TEST((read.size == h.size));
        BOOST_TEST(read.length == h.length);
    }
}

BOOST_DATA_TEST_CASE(boxes_in_a_row, data::make(kWalks), w) {
    std::vector<std::uint32_t> types;
    for (const auto& b : mp4Boxes(w.bytes)) {
        types.push_back(b.type);
    }
    BOOST_TEST(types == w.types, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(children_have_offsets_in_the_whole_and_bodies_of_their_own) {
    const std::string bytes =
        box("free", "x") + box("moof", box("mfhd", full(0, 0) + be(7, 4)) + box("traf", ""));
    const auto top = mp4Boxes(bytes);
    BOOST_TEST_REQUIRE(top.size() == 2u);
    const auto children = mp4Children(bytes, top[1]);
    BOOST_TEST_REQUIRE(children.size() == 2u);
    BOOST_TEST(children[0].type == mp4Type("mfhd"));
    BOOST_TEST(children[0].start == 17u);
    const auto field = confcap::media::mp4SequenceField();
    BOOST_TEST(confcap::media::bigEndian(children[0].body(bytes), field.at, field.width) == 7u);
    BOOST_TEST(children[1].body(bytes).empty());
}

BOOST_AUTO_TEST_CASE(track_and_media_headers_by_version) {
    using confcap::media::mp4Timescale;
    using confcap::media::mp4TrackId;
    // version 0: 32-bit creation and modification times; version 1: 64-bit.
    BOOST_TEST((mp4TrackId(full(0, 7) + be(0, 8) + be(2, 4)) == std::optional<std::uint64_t>(2)));
    BOOST_TEST((mp4TrackId(full(1, 7) + be(0, 16) + be(3, 4)) == std::optional<std::uint64_t>(3)));
    BOOST_TEST((mp4Timescale(full(0, 0) + be(0, 8) + be(90000, 4)) ==
                std::optional<std::uint64_t>(90000)));
    BOOST_TEST((mp4Timescale(full(1, 0) + be(0, 16) + be(48000, 4)) ==
                std::optional<std::uint64_t>(48000)));
    BOOST_TEST(!mp4TrackId(""));
    BOOST_TEST(!mp4Timescale(""));
}

BOOST_AUTO_TEST_CASE(fragment_defaults_and_headers) {
    using confcap::media::mp4FragmentTrack;
    using confcap::media::mp4TrackExtends;
    const auto trex = mp4TrackExtends(full(0, 0) + be(1, 4) + be(1, 4) + be(1024, 4) + be(0, 4));
    BOOST_TEST_REQUIRE(trex.has_value());
    BOOST_TEST(trex->track == 1u);
    BOOST_TEST(trex->sampleDuration == 1024u);
    BOOST_TEST(!mp4TrackExtends(full(0, 0) + be(1, 4)));

    const auto plain = mp4FragmentTrack(full(0, 0x020000) + be(2, 4));
    BOOST_TEST_REQUIRE(plain.has_value());
    BOOST_TEST(plain->track == 2u);
    BOOST_TEST(!plain->sampleDuration);
    // base data offset (8 bytes) and sample description index (4 bytes) come first
    const auto all = mp4FragmentTrack(full(0, 0x0B) + be(2, 4) + be(0, 8) + be(1, 4) + be(3003, 4));
    BOOST_TEST_REQUIRE(all.has_value());
    BOOST_TEST((all->sampleDuration == std::optional<std::uint64_t>(3003)));
    BOOST_TEST(!mp4FragmentTrack(full(0, 0)));
}

BOOST_AUTO_TEST_CASE(decode_times_by_version) {
    using confcap::media::mp4DecodeTime;
    BOOST_TEST((mp4DecodeTime(full(0, 0) + be(123456, 4)) == std::optional<std::uint64_t>(123456)));
    BOOST_TEST((mp4DecodeTime(full(1, 0) + be(0x100000000, 8)) ==
                std::optional<std::uint64_t>(0x100000000)));
    BOOST_TEST(!mp4DecodeTime(""));
    BOOST_TEST(confcap::media::mp4DecodeTimeField(full(1, 0)).width == 8u);
}

BOOST_AUTO_TEST_CASE(run_durations_from_samples_or_defaults) {
    using confcap::media::mp4RunDuration;
    // data offset (0x01), sample duration (0x100) and size (0x200) for each of three samples
    const std::string own = full(0, 0x301) + be(3, 4) + be(0, 4) + be(1000, 4) + be(9, 4) +
                            be(1001, 4) + be(9, 4) + be(1002, 4) + be(9, 4);
    BOOST_TEST(mp4RunDuration(own, 5) == 3003u);
    BOOST_TEST(mp4RunDuration(full(0, 0x200) + be(4, 4) + std::string(16, 'x'), 1024) == 4096u);
    BOOST_TEST(mp4RunDuration(full(0, 0x100) + be(10, 4) + be(1000, 4), 0) == 1000u);  // cut short
    BOOST_TEST(mp4RunDuration("abc", 1024) == 0u);
}

BOOST_AUTO_TEST_CASE(segment_index_times) {
    const std::string v0 = full(0, 0) + be(1, 4) + be(90000, 4) + be(180000, 4);
    BOOST_TEST(confcap::media::mp4IndexTimescale(v0) == 90000u);
    const auto field = confcap::media::mp4IndexTimeField(v0);
    BOOST_TEST(confcap::media::bigEndian(v0, field.at, field.width) == 180000u);
    BOOST_TEST(confcap::media::mp4IndexTimeField(full(1, 0)).width == 8u);
}

BOOST_AUTO_TEST_SUITE_END()

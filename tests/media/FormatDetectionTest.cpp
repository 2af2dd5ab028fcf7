// Which container a stream's first bytes begin, and where in a chunk a file can begin, by table.
#include "confcap/media/FormatDetection.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(FormatDetectionTest)

namespace data = boost::unit_test::data;
using confcap::core::ChunkKind;
using confcap::core::StreamFormat;
using confcap::media::fileStartOffset;
using confcap::media::formatFromBytes;

namespace {

std::string tsPackets(std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        out += '\x47' + std::string(187, '\xFF');
    }
    return out;
}

struct Prefix {
    const char* name;
    std::string bytes;
    const char* extension;  ///< "": none
    bool concatSafe;
};

std::ostream& operator<<(std::ostream& out, const Prefix& p) {
    return out << p.name;
}

const std::vector<Prefix> kPrefixes = {
    {"ts packets", tsPackets(2), "ts", true},
    {"a ts sync byte alone", "\x47", "ts", true},
    {"a sync byte without another a packet later", "\x47" + std::string(188, 'x'), "", false},
    {"mp3 frame", "\xFF\xFB\x90\x64rest", "mp3", true},
    {"adts frame", "\xFF\xF1\x50\x80\x02\x1F\xFC", "aac", true},
    {"id3 then mp3", std::string("ID3\x04\0\0\0\0\0\x02", 10) + "xx\xFF\xFB\x90\x64", "mp3", true},
    {"id3 then adts", std::string("ID3\x04\0\0\0\0\0\x02", 10) + "xx\xFF\xF1\x50\x80", "aac", true},
    {"id3 whose frame is out of view", std::string("ID3\x04\0\0\0\0\x10\0", 10), "mp3", true},
    {"ogg", "OggS\x00\x02", "ogg", true},
    {"webm", "\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm", "webm", false},
    {"matroska", "\x1A\x45\xDF\xA3\xA3\x42\x86\x81\x01\x42\x82\x88matroska", "mkv", false},
    {"flv", "FLV\x01\x05", "flv", false},
    {"mp4 ftyp",
     std::string("\0\0\0\x18"
                 "ftypisom",
                 12),
     "mp4", false},
    {"mp4 styp", std::string("\0\0\0\x18styp", 8), "mp4", false},
    {"mp4 moof", std::string("\0\0\0\x18moof", 8), "mp4", false},
    {"html", "<html>", "", false},
    {"nothing", "", "", false},
};

struct Start {
    const char* name;
    const char* extension;
    ChunkKind kind;
    std::string bytes;
    std::size_t offset;
};

std::ostream& operator<<(std::ostream& out, const Start& s) {
    return out << s.name;
}

const std::vector<Start> kStarts = {
    {"ts: the first packet", "ts", ChunkKind::Media, "junk" + tsPackets(3), 4},
    {"ts: packets from the start", "ts", ChunkKind::Media, tsPackets(2), 0},
    {"ts: no packet in the first 188 bytes", "ts", ChunkKind::Media, std::string(400, 'x'),
     std::string::npos},
    {"webm: the next cluster", "webm", ChunkKind::Media, "abc\x1F\x43\xB6\x75rest", 3},
    {"mkv: no cluster", "mkv", ChunkKind::Media, "abcdef", std::string::npos},
    {"an hls segment starts anywhere", "ts", ChunkKind::SegmentStart, "junk", 0},
    {"an init section starts at once", "webm", ChunkKind::Init, "abc", 0},
    {"mp3 decoders find their own way in", "mp3", ChunkKind::Media, "junk", 0},
};

}  // namespace

BOOST_DATA_TEST_CASE(the_container_of_a_prefix, data::make(kPrefixes), p) {
    const auto format = formatFromBytes(p.bytes);
    BOOST_TEST(format.has_value() == (std::string(p.extension) != ""));
    if (format) {
        BOOST_TEST(format->extension == p.extension);
        BOOST_TEST(format->concatSafe == p.concatSafe);
    }
}

BOOST_DATA_TEST_CASE(where_a_file_can_begin, data::make(kStarts), s) {
    BOOST_TEST(fileStartOffset(StreamFormat{s.extension, true}, s.bytes, s.kind) == s.offset);
}

BOOST_AUTO_TEST_SUITE_END()

// AudioFrameReader by table: the frame length and duration of each MPEG audio version and layer
// and of ADTS AAC, read from synthetic frames whose bodies would be counted if the reader lost
// its place, and the ID3 tags and junk it steps over.
#include "confcap/sink/AudioFrameReader.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "support/ByteString.h"

BOOST_AUTO_TEST_SUITE(AudioFrameReaderTest)

namespace data = boost::unit_test::data;
using confcap::sink::AudioFrameReader;
using confcap::testing::bytesOf;

namespace {

/// An ADTS header (AAC LC, stereo, no CRC) for `rateIndex`, a frame of `length` bytes with its
/// header, and `blocks` raw data blocks of 1024 samples.
std::string adts(unsigned rateIndex, unsigned length, unsigned blocks) {
    return bytesOf({0xFF, 0xF1, 0x40 | (rateIndex << 2), 0x80 | ((length >> 11) & 3),
                    (length >> 3) & 0xFF, ((length & 7) << 5) | 0x1F, 0xFC | (blocks - 1)});
}

/// An ADTS frame of 128 ms that is nothing but its header: the bodies are filled with it, so a
/// reader that lands inside a body counts a lot of time that is not there.
const std::string kDecoy = adts(11, 7, 1);

std::string decoys(std::size_t length) {
    std::string out;
    while (out.size() < length) {
        out += kDecoy;
    }
    return out.substr(0, length);
}

/// An MPEG audio header; `second` holds version, layer and "no CRC", `third` bitrate, sample
/// rate and padding.
std::string mpeg(unsigned second, unsigned third) {
    return bytesOf({0xFF, second, third, 0xC4});
}

/// `count` frames of `length` bytes (header included) starting with `header`.
std::string frames(const std::string& header, std::size_t length, int count) {
    std::string out;
    for (int i = 0; i < count; ++i) {
        out += header + decoys(length - header.size());
    }
    return out;
}

/// An ID3v2.4 tag with a body of `size` bytes, and a footer when asked for.
std::string id3(unsigned size, bool footer) {
    return bytesOf({'I', 'D', '3', 4, 0, footer ? 0x10u : 0u, (size >> 21) & 0x7F,
                    (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F}) +
           decoys(size + (footer ? 10 : 0));
}

struct Row {
    const char* name;
    std::string bytes;
    double seconds;
    bool measured;
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
    return out << row.name;
}

// Frame lengths from the standard: layer I 4 * (12 * bitrate / rate + padding), layers II and III
// 144 * bitrate / rate + padding (72 for layer III of MPEG-2 and 2.5).
const std::vector<Row> kRows = {
    {"mpeg-1 layer iii 128 kbit/s 44.1 kHz", frames(mpeg(0xFB, 0x90), 417, 10), 10 * 1152 / 44100.0,
     true},
    {"mpeg-1 layer iii with padding", frames(mpeg(0xFB, 0x92), 418, 10), 10 * 1152 / 44100.0, true},
    {"mpeg-1 layer ii 192 kbit/s 48 kHz", frames(mpeg(0xFD, 0xA4), 576, 10), 10 * 1152 / 48000.0,
     true},
    {"mpeg-1 layer i 384 kbit/s 32 kHz", frames(mpeg(0xFF, 0xC8), 576, 10), 10 * 384 / 32000.0,
     true},
    {"mpeg-2 layer iii 24 kbit/s 22.05 kHz", frames(mpeg(0xF3, 0x30), 78, 10), 10 * 576 / 22050.0,
     true},
    {"mpeg-2 layer ii 64 kbit/s 24 kHz", frames(mpeg(0xF5, 0x84), 384, 10), 10 * 1152 / 24000.0,
     true},
    {"mpeg-2 layer i 32 kbit/s 16 kHz", frames(mpeg(0xF7, 0x18), 96, 10), 10 * 384 / 16000.0, true},
    {"mpeg-2.5 layer iii 8 kbit/s 8 kHz", frames(mpeg(0xE3, 0x18), 72, 10), 10 * 576 / 8000.0,
     true},
    {"adts 44.1 kHz", frames(adts(4, 371, 1), 371, 10), 10 * 1024 / 44100.0, true},
    {"adts 48 kHz, two blocks a frame", frames(adts(3, 600, 2), 600, 10), 10 * 2048 / 48000.0,
     true},
    {"an id3 tag before the frames", id3(300, false) + frames(mpeg(0xFB, 0x90), 417, 10),
     10 * 1152 / 44100.0, true},
    {"an id3 tag with a footer", id3(300, true) + frames(mpeg(0xFB, 0x90), 417, 10),
     10 * 1152 / 44100.0, true},
    {"junk before the first frame",
     std::string(50, '\0') + bytesOf({0xFF, 0x00, 'I', 'D'}) + frames(mpeg(0xFB, 0x90), 417, 10),
     10 * 1152 / 44100.0, true},
    {"a free-format frame is junk",
     frames(mpeg(0xFB, 0x00), 4, 1) + frames(mpeg(0xFB, 0x90), 417, 10), 10 * 1152 / 44100.0, true},
    {"one frame could be junk that looks like one", frames(mpeg(0xFB, 0x90), 417, 1), 0, false},
    {"no frames at all", std::string(10'000, 'Z'), 0, false},
};

}  // namespace

BOOST_DATA_TEST_CASE(seconds_of_the_frames, data::make(kRows), row) {
    // Fed whole, and in pieces that split headers and tags anywhere.
    for (const std::size_t piece : {row.bytes.size(), std::size_t{1}, std::size_t{5}}) {
        AudioFrameReader reader;
        for (std::size_t at = 0; at < row.bytes.size(); at += piece) {
            reader.feed(std::string_view(row.bytes).substr(at, piece));
        }
        BOOST_TEST(reader.measured() == row.measured);
        BOOST_TEST(reader.seconds() == row.seconds, boost::test_tools::tolerance(1e-9));
    }
}

BOOST_AUTO_TEST_SUITE_END()

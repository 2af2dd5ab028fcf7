// MPEG audio and ADTS frame headers by table: what each version, layer and rate gives as length,
// sample rate and samples; the syncs that tell them apart; ID3v2 tag lengths.
#include "confcap/media/AudioFrames.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "support/ByteString.h"

BOOST_AUTO_TEST_SUITE(AudioFramesTest)

namespace data = boost::unit_test::data;
using confcap::media::adtsFrame;
using confcap::media::AudioSync;
using confcap::media::audioSync;
using confcap::media::id3TagLength;
using confcap::media::mpegAudioFrame;
using confcap::testing::bytesOf;

namespace {

struct Header {
    const char* name;
    std::string bytes;
    std::uint64_t length;  ///< 0: not a frame
    int sampleRate;
    int samples;
};

std::ostream& operator<<(std::ostream& out, const Header& h) {
    return out << h.name;
}

// Lengths from the standard: layer I 4 * (12 * bitrate / rate + padding), layers II and III
// 144 * bitrate / rate + padding (72 for layer III of MPEG-2 and 2.5).
const std::vector<Header> kMpeg = {
    {"mpeg-1 layer iii 128 kbit/s 44.1 kHz", bytesOf({0xFF, 0xFB, 0x90, 0xC4}), 417, 44100, 1152},
    {"with padding", bytesOf({0xFF, 0xFB, 0x92, 0xC4}), 418, 44100, 1152},
    {"mpeg-1 layer ii 192 kbit/s 48 kHz", bytesOf({0xFF, 0xFD, 0xA4, 0xC4}), 576, 48000, 1152},
    {"mpeg-1 layer i 384 kbit/s 32 kHz", bytesOf({0xFF, 0xFF, 0xC8, 0xC4}), 576, 32000, 384},
    {"mpeg-2 layer iii 24 kbit/s 22.05 kHz", bytesOf({0xFF, 0xF3, 0x30, 0xC4}), 78, 22050, 576},
    {"mpeg-2 layer ii 64 kbit/s 24 kHz", bytesOf({0xFF, 0xF5, 0x84, 0xC4}), 384, 24000, 1152},
    {"mpeg-2 layer i 32 kbit/s 16 kHz", bytesOf({0xFF, 0xF7, 0x18, 0xC4}), 96, 16000, 384},
    {"mpeg-2.5 layer iii 8 kbit/s 8 kHz", bytesOf({0xFF, 0xE3, 0x18, 0xC4}), 72, 8000, 576},
    {"free format", bytesOf({0xFF, 0xFB, 0x00, 0xC4}), 0, 0, 0},
    {"bad bitrate", bytesOf({0xFF, 0xFB, 0xF0, 0xC4}), 0, 0, 0},
    {"reserved rate", bytesOf({0xFF, 0xFB, 0x9C, 0xC4}), 0, 0, 0},
    {"reserved version", bytesOf({0xFF, 0xEB, 0x90, 0xC4}), 0, 0, 0},
    {"layer bits 00", bytesOf({0xFF, 0xF9, 0x90, 0xC4}), 0, 0, 0},
    {"too short", bytesOf({0xFF, 0xFB, 0x90}), 0, 0, 0},
};

/// An ADTS header for `rateIndex`, a frame of `length` bytes and `blocks` blocks of 1024 samples.
std::string adts(unsigned rateIndex, unsigned length, unsigned blocks) {
    return bytesOf({0xFF, 0xF1, 0x40 | (rateIndex << 2), 0x80 | ((length >> 11) & 3),
                    (length >> 3) & 0xFF, ((length & 7) << 5) | 0x1F, 0xFC | (blocks - 1)});
}

const std::vector<Header> kAdts = {
    {"44.1 kHz", adts(4, 371, 1), 371, 44100, 1024},
    {"48 kHz, two blocks", adts(3, 600, 2), 600, 48000, 2048},
    {"7350 Hz, the last rate", adts(12, 7, 1), 7, 7350, 1024},
    {"a reserved rate", adts(13, 371, 1), 0, 0, 0},
    {"shorter than its header", adts(4, 6, 1), 0, 0, 0},
    {"too short", adts(4, 371, 1).substr(0, 6), 0, 0, 0},
    {"an mpeg header", bytesOf({0xFF, 0xFB, 0x90, 0xC4, 0, 0, 0}), 0, 0, 0},
};

struct Sync {
    const char* name;
    std::string bytes;
    AudioSync sync;
};

std::ostream& operator<<(std::ostream& out, const Sync& s) {
    return out << s.name;
}

const std::vector<Sync> kSyncs = {
    {"adts", bytesOf({0xFF, 0xF1}), AudioSync::Adts},
    {"adts with crc, mpeg-2", bytesOf({0xFF, 0xF8}), AudioSync::Adts},
    {"mp3", bytesOf({0xFF, 0xFB}), AudioSync::Mpeg},
    {"mpeg-2.5", bytesOf({0xFF, 0xE3}), AudioSync::Mpeg},
    {"11 sync bits, layer 00", bytesOf({0xFF, 0xE1}), AudioSync::None},
    {"10 sync bits", bytesOf({0xFF, 0xC3}), AudioSync::None},
    {"one byte", bytesOf({0xFF}), AudioSync::None},
    {"text", "ID3", AudioSync::None},
};

}  // namespace

BOOST_DATA_TEST_CASE(mpeg_audio_headers, data::make(kMpeg), h) {
    const auto frame = mpegAudioFrame(h.bytes);
    BOOST_TEST(frame.has_value() == (h.length != 0));
    if (frame) {
        BOOST_TEST(frame->length == h.length);
        BOOST_TEST(frame->sampleRate == h.sampleRate);
        BOOST_TEST(frame->samples == h.samples);
        BOOST_TEST(frame->seconds() == static_cast<double>(h.samples) / h.sampleRate);
    }
}

BOOST_DATA_TEST_CASE(adts_headers, data::make(kAdts), h) {
    const auto frame = adtsFrame(h.bytes);
    BOOST_TEST(frame.has_value() == (h.length != 0));
    if (frame) {
        BOOST_TEST(frame->length == h.length);
        BOOST_TEST(frame->sampleRate == h.sampleRate);
        BOOST_TEST(frame->samples == h.samples);
    }
}

BOOST_DATA_TEST_CASE(frame_syncs, data::make(kSyncs), s) {
    BOOST_TEST((audioSync(s.bytes) == s.sync));
}

BOOST_AUTO_TEST_CASE(id3_tags_count_header_body_and_footer) {
    const auto tag = [](unsigned flags, unsigned size) {
        return bytesOf({'I', 'D', '3', 4, 0, flags, (size >> 21) & 0x7F, (size >> 14) & 0x7F,
                        (size >> 7) & 0x7F, size & 0x7F});
    };
    BOOST_TEST((id3TagLength(tag(0, 300)) == std::optional<std::uint64_t>(310)));
    BOOST_TEST((id3TagLength(tag(0x10, 300)) == std::optional<std::uint64_t>(320)));
    BOOST_TEST((id3TagLength(tag(0, (1u << 28) - 1)) ==
                std::optional<std::uint64_t>(10 + (1u << 28) - 1)));
    BOOST_TEST(!id3TagLength(tag(0, 300).substr(0, 9)));
    BOOST_TEST(!id3TagLength("ID4\x04\0\0\0\0\0\0"));
}

BOOST_AUTO_TEST_SUITE_END()

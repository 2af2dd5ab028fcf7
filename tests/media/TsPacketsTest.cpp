#include "confcap/media/TsPackets.h"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(TsPacketsTest)

using confcap::media::kPesTimestampWrap;
using confcap::media::kTsPacketSize;
using confcap::media::pesTicksBetween;
using confcap::media::pesTimestamp;
using confcap::media::TsPacketizer;
using confcap::media::tsPayload;
using confcap::media::tsPid;
using confcap::media::tsSectionStart;
using confcap::media::tsSyncAt;

namespace {

/// The five bytes of a PES timestamp field with `prefix` in its high nibble.
std::string timestampField(std::int64_t ticks, int prefix) {
    std::string out(5, '\0');
    out[0] = static_cast<char>((prefix << 4) | (((ticks >> 30) & 7) << 1) | 1);
    out[1] = static_cast<char>((ticks >> 22) & 0xFF);
    out[2] = static_cast<char>((((ticks >> 15) & 0x7F) << 1) | 1);
    out[3] = static_cast<char>((ticks >> 7) & 0xFF);
    out[4] = static_cast<char>(((ticks & 0x7F) << 1) | 1);
    return out;
}

/// A TS packet of `pid` that starts a PES packet of `stream` with a PTS (and a DTS when given).
std::string pesPacket(int pid, int stream, std::int64_t pts, std::int64_t dts = -1) {
    std::string p(kTsPacketSize, '\xFF');
    p[0] = 0x47;
    p[1] = static_cast<char>(0x40 | ((pid >> 8) & 0x1F));
    p[2] = static_cast<char>(pid & 0xFF);
    p[3] = 0x10;  // payload only
    std::string pes = {'\0', '\0', '\1', static_cast<char>(stream), '\0', '\0', '\x80'};
    pes += static_cast<char>(dts >= 0 ? 0xC0 : 0x80);
    pes += static_cast<char>(dts >= 0 ? 10 : 5);
    pes += timestampField(pts, dts >= 0 ? 3 : 2);
    if (dts >= 0) {
        pes += timestampField(dts, 1);
    }
    p.replace(4, pes.size(), pes);
    return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(aPesStartGivesItsDtsElseItsPts) {
    const auto video = pesTimestamp(pesPacket(0x100, 0xE0, 900'000 + 3003, 900'000));
    BOOST_TEST_REQUIRE(video.has_value());
    BOOST_TEST(video->pid == 0x100);
    BOOST_TEST(video->ticks == 900'000);
    BOOST_TEST(video->video());
    const auto audio = pesTimestamp(pesPacket(0x101, 0xC0, kPesTimestampWrap - 1));
    BOOST_TEST_REQUIRE(audio.has_value());
    BOOST_TEST(audio->ticks == kPesTimestampWrap - 1);
    BOOST_TEST(!audio->video());
}

BOOST_AUTO_TEST_CASE(packetsThatStartNoPesHaveNoTimestamp) {
    auto continuation = pesPacket(0x100, 0xE0, 1000);
    continuation[1] = static_cast<char>(continuation[1] & ~0x40);
    BOOST_TEST(!pesTimestamp(continuation).has_value());
    BOOST_TEST(!pesTimestamp(pesPacket(0x100, 0xBE, 1000)).has_value());  // padding stream
    BOOST_TEST(!pesTimestamp(std::string(kTsPacketSize, '\0')).has_value());
    BOOST_TEST(!pesTimestamp("\x47").has_value());
}

BOOST_AUTO_TEST_CASE(ticksBetweenTwoTimestampsGoTheShortWayAcrossTheWrap) {
    BOOST_TEST(pesTicksBetween(1000, 4000) == 3000);
    BOOST_TEST(pesTicksBetween(4000, 1000) == -3000);
    BOOST_TEST(pesTicksBetween(kPesTimestampWrap - 90'000, 90'000) == 180'000);
    BOOST_TEST(pesTicksBetween(90'000, kPesTimestampWrap - 90'000) == -180'000);
}

BOOST_AUTO_TEST_CASE(theStreamIsCutIntoWholePacketsWhateverTheReads) {
    std::string stream = "junk";
    for (int i = 0; i < 5; ++i) {
        stream += pesPacket(0x100, 0xE0, 1000 * i);
    }
    for (const std::size_t read :
         {std::size_t{1}, std::size_t{100}, std::size_t{188}, std::size_t{1000}, stream.size()}) {
        TsPacketizer packetizer;
        std::vector<std::int64_t> seen;
        for (std::size_t at = 0; at < stream.size(); at += read) {
            packetizer.feed(std::string_view(stream).substr(at, read), [&](std::string_view p) {
                BOOST_TEST(p.size() == kTsPacketSize);
                if (const auto t = pesTimestamp(p)) {
                    seen.push_back(t->ticks);
                }
            });
        }
        BOOST_TEST(seen == (std::vector<std::int64_t>{0, 1000, 2000, 3000, 4000}),
                   boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(aPacketStartsAtASyncByteWithAnotherAPacketLater) {
    const std::string two = pesPacket(0x100, 0xE0, 0) + pesPacket(0x100, 0xE0, 0);
    BOOST_TEST(tsSyncAt(two, 0));
    BOOST_TEST(tsSyncAt(two, kTsPacketSize));  // the last one: the end comes first
    BOOST_TEST(!tsSyncAt(two, 1));
    BOOST_TEST(!tsSyncAt("\x47" + std::string(kTsPacketSize, 'x'), 0));
    BOOST_TEST(tsSyncAt("\x47", 0));
    BOOST_TEST(!tsSyncAt("", 0));
}

BOOST_AUTO_TEST_CASE(aPacketsPidPayloadAndSection) {
    auto packet = pesPacket(0x1ABC & 0x1FFF, 0xE0, 0);
    BOOST_TEST(tsPid(packet) == (0x1ABC & 0x1FFF));
    BOOST_TEST(tsPayload(packet).size() == kTsPacketSize - 4);
    packet[3] = 0x30;  // adaptation field of 10 bytes, then payload
    packet[4] = 10;
    BOOST_TEST(tsPayload(packet).size() == kTsPacketSize - 15);
    packet[3] = 0x20;  // adaptation field only
    BOOST_TEST(tsPayload(packet).empty());
    // A section after a pointer field of 2.
    std::string psi(kTsPacketSize, '\xFF');
    psi[0] = 0x47;
    psi[1] = 0x40;
    psi[2] = 0x11;
    psi[3] = 0x10;
    psi[4] = 2;
    psi[7] = 0x42;
    BOOST_TEST(tsSectionStart(psi).size() == kTsPacketSize - 7);
    BOOST_TEST(tsSectionStart(psi)[0] == '\x42');
    psi[1] = 0x00;  // a continuation starts no section
    BOOST_TEST(tsSectionStart(psi).empty());
}

BOOST_AUTO_TEST_CASE(timesAreShiftedAcrossTheWrapAndCountersAdvance) {
    auto video = pesPacket(0x100, 0xE0, 900'000 + 3003, 900'000);
    confcap::media::shiftTsTimes(video, 90'000);
    BOOST_TEST(pesTimestamp(video)->ticks == 990'000);
    auto audio = pesPacket(0x101, 0xC0, kPesTimestampWrap - 1000);
    confcap::media::shiftTsTimes(audio, 3000);
    BOOST_TEST(pesTimestamp(audio)->ticks == 2000);
    audio[3] = static_cast<char>(0x1E);
    confcap::media::advanceTsContinuity(audio, 3);
    BOOST_TEST((audio[3] & 0x0F) == 1);
    BOOST_TEST((audio[3] & 0xF0) == 0x10);
}

BOOST_AUTO_TEST_SUITE_END()

// TsReader by table: the media time of synthetic MPEG-TS streams, which timestamps count (DTS
// before PTS, audio, video and private PES only, per PID) and what splits a run.
#include "confcap/sink/TsReader.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(TsReaderTest)

namespace data = boost::unit_test::data;
using confcap::sink::TsReader;

namespace {

constexpr std::int64_t kSecond = 90'000;
constexpr std::int64_t kFrame = kSecond / 25;
constexpr std::int64_t kWrap = std::int64_t{1} << 33;

void put(std::string& out, std::uint64_t byte) {
    out.push_back(static_cast<char>(byte & 0xFF));
}

/// A 33-bit timestamp in the five bytes of a PES header, after the 4-bit `prefix`.
void timestamp(std::string& out, unsigned prefix, std::int64_t time) {
    const auto t = static_cast<std::uint64_t>(time % kWrap);
    put(out, (prefix << 4) | (((t >> 30) & 7) << 1) | 1);
    put(out, t >> 22);
    put(out, (((t >> 15) & 0x7F) << 1) | 1);
    put(out, t >> 7);
    put(out, ((t & 0x7F) << 1) | 1);
}

struct Unit {
    unsigned pid = 0x100;
    unsigned stream = 0xE0;  ///< the PES stream id
    std::optional<std::int64_t> pts;
    std::optional<std::int64_t> dts;
    bool unitStart = true;
    unsigned adaptation = 0;  ///< bytes of an adaptation field before the payload
};

/// One 188-byte packet that carries the start of a PES packet.
std::string packet(const Unit& unit) {
    std::string out;
    put(out, 0x47);
    put(out, (unit.unitStart ? 0x40u : 0u) | (unit.pid >> 8));
    put(out, unit.pid);
    put(out, unit.adaptation > 0 ? 0x30 : 0x10);
    if (unit.adaptation > 0) {
        put(out, unit.adaptation - 1);
        out.append(unit.adaptation - 1, '\xFF');
    }
    out.append({'\0', '\0', '\1'});
    put(out, unit.stream);
    out.append({'\0', '\0'});
    put(out, 0x80);
    const unsigned flags = (unit.pts ? 2u : 0u) | (unit.dts ? 1u : 0u);
    put(out, flags << 6);
    put(out, unit.dts ? 10 : unit.pts ? 5 : 0);
    if (unit.pts) {
        timestamp(out, unit.dts ? 3 : 2, *unit.pts);
    }
    if (unit.dts) {
        timestamp(out, 1, *unit.dts);
    }
    out.resize(188, '\xFF');
    return out;
}

/// `count` packets 25 a second from `start`, made by `change` from a unit with that PTS.
template <typename Change>
std::string run(int count, std::int64_t start, Change change) {
    std::string out;
    for (int i = 0; i < count; ++i) {
        Unit unit;
        unit.pts = start + i * kFrame;
        change(unit, i);
        out += packet(unit);
    }
    return out;
}

std::string run(int count, std::int64_t start = 0) {
    return run(count, start, [](Unit&, int) {});
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

const std::vector<Row> kRows = {
    {"video 25 a second for 4 s", run(100), 4.0, true},
    {"the dts counts, not the reordered pts",
     run(100, 0,
         [](Unit& u, int i) {
             u.dts = u.pts;
             *u.pts += (i % 2 == 0 ? 0 : 7 * kSecond);
         }),
     4.0, true},
    {"audio", run(50, 0, [](Unit& u, int) { u.stream = 0xC0; }), 2.0, true},
    {"private stream 1", run(75, 0, [](Unit& u, int) { u.stream = 0xBD; }), 3.0, true},
    {"the longest-covered pid",
     run(50, 0, [](Unit& u, int) { u.pid = 0x101; }) + run(100, 10 * kSecond), 4.0, true},
    {"across the 33-bit wrap", run(100, kWrap - 2 * kSecond), 4.0, true},
    {"a jump ahead of a minute is not counted", run(50) + run(50, 60 * kSecond), 4.0, true},
    {"timestamps that start again are a new run", run(50, 60 * kSecond) + run(50), 4.0, true},
    {"an adaptation field before the payload", run(100, 0, [](Unit& u, int) { u.adaptation = 20; }),
     4.0, true},
    {"junk before the first packet", std::string(100, 'Z') + run(100), 4.0, true},
    {"packets that do not start a unit", run(100, 0, [](Unit& u, int) { u.unitStart = false; }), 0,
     false},
    {"a stream that is neither audio nor video", run(100, 0, [](Unit& u, int) { u.stream = 0xBE; }),
     0, false},
    {"pes packets without timestamps", run(100, 0, [](Unit& u, int) { u.pts.reset(); }), 0, false},
    {"an adaptation field that leaves no room for a pes header",
     run(100, 0, [](Unit& u, int) { u.adaptation = 175; }), 0, false},
};

}  // namespace

BOOST_DATA_TEST_CASE(seconds_of_the_timestamps, data::make(kRows), row) {
    // Fed whole, and in pieces that split packets anywhere.
    for (const std::size_t piece : {row.bytes.size(), std::size_t{1}, std::size_t{100}}) {
        TsReader reader;
        for (std::size_t at = 0; at < row.bytes.size(); at += piece) {
            reader.feed(std::string_view(row.bytes).substr(at, piece));
        }
        BOOST_TEST(reader.measured() == row.measured);
        BOOST_TEST(reader.seconds() == row.seconds, boost::test_tools::tolerance(1e-9));
    }
}

BOOST_AUTO_TEST_SUITE_END()

#include "confcap/demo/FakeStreamServer.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "confcap/demo/MediaFixture.h"
#include "confcap/demo/MediaLoop.h"
#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(FakeStreamServerTest)

namespace fs = std::filesystem;
using confcap::demo::FakeStreamServer;
using confcap::demo::Fault;
using confcap::demo::MediaClip;
using confcap::demo::MediaFixture;
using confcap::demo::MediaLoop;
using confcap::demo::StreamKind;
using confcap::demo::StreamSpec;
using confcap::testing::probe;
using confcap::testing::TempDir;
using confcap::testing::testClip;

namespace {

struct Fetched {
    int status = 0;
    std::string body;
    std::string retryAfter;
};

// One GET with a plain Poco session; a reset connection gives status -1.
Fetched get(const std::string& url, double readSeconds = 5) {
    const Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(static_cast<long>(readSeconds * 1e6)));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    Fetched fetched;
    try {
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        fetched.status = static_cast<int>(response.getStatus());
        fetched.retryAfter = response.get("Retry-After", "");
        Poco::StreamCopier::copyToString(in, fetched.body);
    } catch (const Poco::Exception&) {
        fetched.status = -1;
    }
    return fetched;
}

// Reads a progressive stream for `seconds`; returns the bytes.
std::string readFor(const std::string& url, double seconds) {
    const Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    BOOST_REQUIRE_EQUAL(static_cast<int>(response.getStatus()), 200);
    std::string bytes;
    // Small reads: istream::read waits until the buffer is full.
    char buffer[1024];
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end && in.read(buffer, sizeof buffer).gcount() > 0) {
        bytes.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    return bytes;
}

std::int64_t mediaSequenceOf(const std::string& playlist) {
    std::smatch m;
    BOOST_REQUIRE(std::regex_search(playlist, m, std::regex("#EXT-X-MEDIA-SEQUENCE:(\\d+)")));
    return std::stoll(m[1]);
}

int segmentsIn(const std::string& playlist) {
    int count = 0;
    for (std::size_t at = playlist.find("#EXTINF"); at != std::string::npos;
         at = playlist.find("#EXTINF", at + 1)) {
        ++count;
    }
    return count;
}

}  // namespace

BOOST_AUTO_TEST_CASE(fixture_is_made_once_and_reused) {
    const MediaClip& first = testClip();
    const auto stamp = fs::last_write_time(first.tsSegments.front());
    const MediaClip again = MediaFixture::ensure(testClip().folder.parent_path());
    BOOST_TEST(again.folder == first.folder);
    BOOST_TEST((fs::last_write_time(again.tsSegments.front()) == stamp));
    BOOST_TEST(first.tsSegments.size() == first.segmentSeconds.size());
    BOOST_TEST(first.seconds == 10.0);
    std::uintmax_t total = 0;
    for (const auto& entry : fs::recursive_directory_iterator(first.folder)) {
        total += entry.is_regular_file() ? entry.file_size() : 0;
    }
    BOOST_TEST(total < 1024u * 1024u);
}

// Two and a half passes of the loop play as one stream of that length: the timestamps were
// moved on at each pass instead of jumping back.
BOOST_AUTO_TEST_CASE(looped_media_plays_continuously) {
    TempDir dir;
    const std::pair<MediaLoop::Format, const char*> formats[] = {
        {MediaLoop::Format::Ts, "ts"},
        {MediaLoop::Format::Fmp4, "mp4"},
        {MediaLoop::Format::Webm, "webm"},
        {MediaLoop::Format::Mp3, "mp3"},
    };
    for (const auto& [format, extension] : formats) {
        const MediaLoop loop(testClip(), format);
        const std::int64_t units = loop.unitsPerLoop() * 5 / 2;
        const fs::path file = dir.path / (std::string("loop.") + extension);
        std::ofstream out(file, std::ios::binary);
        out << loop.header();
        for (std::int64_t n = 0; n < units; ++n) {
            out << loop.unit(n);
        }
        out.close();
        const double expected = loop.unitStart(units);
        BOOST_TEST_INFO("format " << extension);
        BOOST_TEST(probe(file).span == expected, boost::test_tools::tolerance(0.06));
        BOOST_TEST(loop.unitAt(loop.unitStart(units) + 0.01) == units);
    }
}

BOOST_AUTO_TEST_CASE(live_playlist_slides_and_serves_segments) {
    FakeStreamServer server(testClip(), {StreamSpec{"main", StreamKind::Hls, 4, 100, false, {}}});
    const auto master = get(server.url("main"));
    BOOST_TEST(master.status == 200);
    BOOST_TEST(master.body.find("BANDWIDTH=1200000") != std::string::npos);
    BOOST_TEST(master.body.find("low/live.m3u8") != std::string::npos);

    const auto first = get(server.mediaPlaylistUrl("main"));
    BOOST_TEST(first.status == 200);
    BOOST_TEST(mediaSequenceOf(first.body) == 100);
    BOOST_TEST(segmentsIn(first.body) == 4);
    BOOST_TEST(first.body.find("#EXT-X-ENDLIST") == std::string::npos);
    BOOST_TEST(first.body.find("#EXT-X-PROGRAM-DATE-TIME:") != std::string::npos);

    server.waitUntil(2.2);
    const auto later = get(server.mediaPlaylistUrl("main"));
    BOOST_TEST(mediaSequenceOf(later.body) == 102);
    BOOST_TEST(segmentsIn(later.body) == 4);
    BOOST_TEST(server.liveEdge("main", server.elapsed()) == 105);

    const auto segment =
        get(server.url("main").substr(0, server.url("main").rfind('/')) + "/high/105.ts");
    BOOST_TEST(segment.status == 200);
    BOOST_TEST(segment.body.size() % 188 == 0);
    BOOST_TEST(
        get(server.url("main").substr(0, server.url("main").rfind('/')) + "/high/106.ts").status ==
        404);
    const auto served = server.served("main");
    BOOST_REQUIRE_EQUAL(served.size(), 1u);
    BOOST_TEST(served[0].sequence == 105);
    BOOST_TEST(served[0].variant == "high");
}

BOOST_AUTO_TEST_CASE(scripted_faults_act_in_their_time_ranges) {
    StreamSpec hls{"main", StreamKind::Hls, 3, 0, false, {}};
    hls.faults = {Fault::httpStatus(0, 0.6, 503, 7), Fault::drop(0.6, 1.2), Fault::failOnce(4),
                  Fault::endList(1.2, 2.5)};
    FakeStreamServer server(testClip(), {hls});
    const std::string base = server.url("main").substr(0, server.url("main").rfind('/'));

    const auto unavailable = get(server.mediaPlaylistUrl("main"));
    BOOST_TEST(unavailable.status == 503);
    BOOST_TEST(unavailable.retryAfter == "7");

    server.waitUntil(0.7);
    BOOST_TEST(get(server.mediaPlaylistUrl("main")).status == -1);

    server.waitUntil(1.3);
    const auto ended = get(server.mediaPlaylistUrl("main"));
    BOOST_TEST(ended.status == 200);
    BOOST_TEST(ended.body.find("#EXT-X-ENDLIST") != std::string::npos);
    BOOST_TEST(get(base + "/high/3.ts").status == 200);
    BOOST_TEST(get(base + "/high/4.ts").status == 404);

    server.waitUntil(3.6);
    BOOST_TEST(get(base + "/high/4.ts").status == 500);
    BOOST_TEST(get(base + "/high/4.ts").status == 200);
    const auto resumed = get(server.mediaPlaylistUrl("main"));
    BOOST_TEST(resumed.body.find("#EXT-X-ENDLIST") == std::string::npos);
    BOOST_TEST(resumed.body.find("#EXT-X-DISCONTINUITY\n") != std::string::npos);
    // Production paused for 1.3 s: the live edge is a segment behind the clock.
    BOOST_TEST(server.liveEdge("main", server.elapsed()) == 4);
}

BOOST_AUTO_TEST_CASE(progressive_streams_are_paced_and_redirected) {
    FakeStreamServer server(testClip(), {StreamSpec{"tv", StreamKind::Ts, 0, 0, false, {}},
                                         StreamSpec{"radio", StreamKind::Mp3, 0, 0, false, {}}});
    const auto redirect = get(server.redirectUrl("tv"));
    BOOST_TEST(redirect.status == 302);

    const std::string radio = readFor(server.url("radio"), 2.0);
    // 64 kbit/s: about 8 KB per second, sent in parts of a fifth of a second.
    BOOST_TEST(radio.size() > 12'000u);
    BOOST_TEST(radio.size() < 32'000u);
    BOOST_TEST(static_cast<unsigned char>(radio[0]) == 0xFF);

    const std::string tv = readFor(server.url("tv"), 1.0);
    BOOST_REQUIRE(tv.size() > 188u);
    BOOST_TEST(tv[0] == 0x47);
    BOOST_TEST(tv[188] == 0x47);
    BOOST_TEST(server.requests("radio") == 1u);
}

BOOST_AUTO_TEST_CASE(progressive_drop_resets_the_connection) {
    StreamSpec webm{"cam", StreamKind::Webm, 0, 0, false, {Fault::drop(1.0)}};
    FakeStreamServer server(testClip(), {webm});
    const auto start = std::chrono::steady_clock::now();
    const std::string bytes = readFor(server.url("cam"), 4.0);
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST(took < 3.5);  // reading for 4 s: the drop at 1 s ended it
    BOOST_TEST(bytes.substr(0, 4) == std::string("\x1A\x45\xDF\xA3"));
}

BOOST_AUTO_TEST_SUITE_END()

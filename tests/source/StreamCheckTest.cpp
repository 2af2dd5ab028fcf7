#include "confcap/source/StreamCheck.h"

#include <boost/test/unit_test.hpp>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "confcap/demo/FakeStreamServer.h"
#include "confcap/demo/LoopbackServer.h"
#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(StreamCheckTest)

using confcap::demo::FakeStreamServer;
using confcap::demo::Fault;
using confcap::demo::LoopbackServer;
using confcap::demo::StreamKind;
using confcap::source::checkStream;
using confcap::source::StreamCheck;
using State = confcap::source::StreamCheck::State;

namespace {

const std::string kCertificate = CONFCAP_SOURCE_DIR "/tests/data/tls/localhost.crt";
const std::string kPrivateKey = CONFCAP_SOURCE_DIR "/tests/data/tls/localhost.key";

StreamCheck check(const std::string& url) {
    return checkStream(url, {{}, std::chrono::seconds(5)});
}

}  // namespace

BOOST_AUTO_TEST_CASE(live_streams_say_what_they_carry) {
    FakeStreamServer server(
        confcap::testing::testClip(),
        {{"hall", StreamKind::Hls},
         {"radio", StreamKind::Mp3},
         {"webm", StreamKind::Webm},
         {"late", StreamKind::Hls, 6, 0, false, {Fault::httpStatus(0, 600, 404)}},
         {"gone", StreamKind::Hls, 6, 0, false, {Fault::endList(0, 600)}}});
    const auto hall = check(server.url("hall"));
    BOOST_TEST((hall.state == State::Live), hall.summary);
    BOOST_TEST(hall.summary == "live (HLS, 2 variants, 1280x720)");
    BOOST_TEST(hall.bandwidth == 1'200'000);  // the highest of the two
    const auto small = checkStream(server.url("hall"), {{}, std::chrono::seconds(5), "min"});
    BOOST_TEST(small.bandwidth == 400'000);
    BOOST_TEST(small.summary == "live (HLS, 2 variants, 320x180)");

    const auto media = check(server.mediaPlaylistUrl("hall"));
    BOOST_TEST((media.state == State::Live), media.summary);
    BOOST_TEST(media.summary == "live (HLS, 6 segments)");

    const auto radio = check(server.url("radio"));
    BOOST_TEST((radio.state == State::Live), radio.summary);
    BOOST_TEST(radio.summary == "live (progressive mp3)");
    BOOST_TEST(radio.bandwidth == 0);
    BOOST_TEST(check(server.url("webm")).summary == "live (progressive webm)");

    const auto late = check(server.url("late"));
    BOOST_TEST((late.state == State::NotLive));
    BOOST_TEST(late.summary == "not live yet (HTTP 404)");

    const auto gone = check(server.url("gone"));
    BOOST_TEST((gone.state == State::NotLive));
    BOOST_TEST(gone.summary == "not live (HLS, 2 variants, 1280x720, the playlist has ended)");
}

BOOST_AUTO_TEST_CASE(servers_that_cannot_be_used_are_named_by_what_failed) {
    std::string refused;
    {
        LoopbackServer closed([](auto&, auto& response) { response.send(); });
        refused = closed.url("/live.m3u8");
    }
    const auto r = check(refused);
    BOOST_TEST((r.state == State::Failed));
    BOOST_TEST(r.summary == "unreachable (connection refused)");

    LoopbackServer tls(
        [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            response.setContentType("application/vnd.apple.mpegurl");
            response.send() << "#EXTM3U\n";
        },
        LoopbackServer::Options{kCertificate, kPrivateKey});
    const auto untrusted = check(tls.url("/live.m3u8"));
    BOOST_TEST((untrusted.state == State::Failed));
    BOOST_TEST(untrusted.summary == "TLS: certificate not trusted");

    LoopbackServer forbidden(
        [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_FORBIDDEN);
            response.send();
        });
    BOOST_TEST(check(forbidden.url("/live.m3u8")).summary == "HTTP 403");

    LoopbackServer page([](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
        response.setContentType("text/html");
        response.send() << "<html><body>We are live soon!</body></html>";
    });
    const auto html = check(page.url("/"));
    BOOST_TEST((html.state == State::Failed));
    BOOST_TEST(html.summary == "not a stream the recorder knows (text/html)");
}

BOOST_AUTO_TEST_SUITE_END()

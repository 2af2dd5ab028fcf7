// Reading request heads: where a head ends, what is refused with which status, keep-alive and
// bodies, pipelined requests.
#include "confcap/status/RequestHead.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(RequestHeadTest)

using namespace confcap::status;

namespace {

struct Case {
    std::string bytes;
    int status;  // 0: incomplete, 200: read whole, else the refusal's status
};

std::ostream& operator<<(std::ostream& out, const Case& c) {
    return out << '"' << c.bytes.substr(0, 60) << "\" -> " << c.status;
}

int statusOf(const HeadReading& reading) {
    if (std::holds_alternative<HeadIncomplete>(reading)) {
        return 0;
    }
    if (const auto* refusal = std::get_if<HeadRefusal>(&reading)) {
        return refusal->status;
    }
    return 200;
}

const Case kCases[] = {
    {"", 0},
    {"GET / HTTP/1.1\r\n", 0},
    {"GET / HTTP/1.1\r\nHost: x\r\n", 0},
    {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200},
    {"GET / HTTP/1.1\nHost: x\n\n", 200},
    {"\r\n\r\nGET / HTTP/1.1\r\n\r\n", 200},
    {"HEAD /api/status?x=1 HTTP/1.0\r\n\r\n", 200},
    {"GET http://127.0.0.1:8080/metrics HTTP/1.1\r\n\r\n", 200},
    {"POST /api/status HTTP/1.1\r\nContent-Length: 3\r\n\r\n", 200},
    {"GET / HTTP/2.0\r\n\r\n", 505},
    {"GET / FTP/1.0\r\n\r\n", 400},
    {std::string("GET /\0 HTTP/1.1\r\n\r\n", 19), 400},
    {"GET / HTTP/1.1\rHost: x\r\n\r\n", 400},
    {"G(T / HTTP/1.1\r\n\r\n", 400},
    {"GET * HTTP/1.1\r\n\r\n", 400},
    {"GET x HTTP/1.1\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tfolded\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nX: a\x01"
     "b\r\n\r\n",
     400},
    {"GET / HTTP/1.1\r\nX: " + std::string(kMaxRequestHead, 'a'), 431},
    {"GET / HTTP/1.1\r\nX: " + std::string(kMaxRequestHead, 'a') + "\r\n\r\n", 431},
    {std::string(kMaxRequestHead + 1, '\n'), 431},
};

}  // namespace

BOOST_DATA_TEST_CASE(eachHeadIsReadOrRefusedAsHttpSays, boost::unit_test::data::make(kCases), c) {
    BOOST_TEST(statusOf(readRequestHead(c.bytes)) == c.status);
}

BOOST_AUTO_TEST_CASE(aHeadEndsAtItsBlankLineAndWhatFollowsIsTheNextRequest) {
    const std::string first = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const std::string second = "GET /api/status HTTP/1.1\r\n\r\n";
    const auto reading = readRequestHead(first + second);
    const auto* head = std::get_if<RequestHead>(&reading);
    BOOST_TEST_REQUIRE(head != nullptr);
    BOOST_TEST(head->length == first.size());
    BOOST_TEST(head->request.getURI() == "/healthz");
    BOOST_TEST(head->request.getHost() == "127.0.0.1");
    // Every prefix short of the blank line is incomplete.
    for (std::size_t n = 0; n < first.size(); ++n) {
        BOOST_TEST(statusOf(readRequestHead(first.substr(0, n))) == 0, n);
    }
}

BOOST_AUTO_TEST_CASE(keepAliveFollowsTheVersionAndTheConnectionField) {
    const auto keep = [](const std::string& bytes) {
        return std::get<RequestHead>(readRequestHead(bytes)).keepAlive;
    };
    BOOST_TEST(keep("GET / HTTP/1.1\r\n\r\n"));
    BOOST_TEST(!keep("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
    BOOST_TEST(!keep("GET / HTTP/1.0\r\n\r\n"));
    BOOST_TEST(keep("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
    const auto body = [](const std::string& bytes) {
        return std::get<RequestHead>(readRequestHead(bytes)).hasBody;
    };
    BOOST_TEST(!body("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
    BOOST_TEST(body("GET / HTTP/1.1\r\nContent-Length: 10\r\n\r\n"));
    BOOST_TEST(body("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
}

BOOST_AUTO_TEST_SUITE_END()

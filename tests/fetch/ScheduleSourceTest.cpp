#include "confcap/fetch/ScheduleSource.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "confcap/core/Clock.h"
#include "confcap/core/Error.h"
#include "confcap/core/Time.h"
#include "confcap/demo/LoopbackServer.h"
#include "support/FakeClock.h"

BOOST_AUTO_TEST_SUITE(ScheduleSourceTest)

namespace {

using namespace std::chrono_literals;
using confcap::core::ErrorKind;
using confcap::core::FetchError;
using confcap::demo::LoopbackServer;
using confcap::fetch::FetchedSchedule;
using confcap::fetch::ScheduleSource;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

const std::string kScheduleV1 = "<?xml version=\"1.0\"?><schedule><version>1</version></schedule>";
const std::string kScheduleV2 = "<?xml version=\"1.0\"?><schedule><version>2</version></schedule>";

// A fresh folder per test, removed afterwards.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::random_device random;
        path = std::filesystem::temp_directory_path() /
               ("confcap-fetch-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// A schedule server whose document, ETag and Last-Modified the test changes, recording the
// validators each request carried.
class ScheduleServer {
public:
    ScheduleServer()
        : server_([this](HTTPServerRequest& request, HTTPServerResponse& response) {
              handle(request, response);
          }) {}

    void publish(std::string body, std::string etag, std::string lastModified = {}) {
        std::lock_guard lock(mutex_);
        body_ = std::move(body);
        etag_ = std::move(etag);
        lastModified_ = std::move(lastModified);
    }
    void fail(HTTPResponse::HTTPStatus status) {
        std::lock_guard lock(mutex_);
        failure_ = status;
    }
    std::string url() const { return server_.url("/schedule.xml"); }
    std::vector<std::string> ifNoneMatch() const {
        std::lock_guard lock(mutex_);
        return ifNoneMatch_;
    }
    std::vector<std::string> ifModifiedSince() const {
        std::lock_guard lock(mutex_);
        return ifModifiedSince_;
    }
    int notModified() const { return notModified_; }

private:
    void handle(HTTPServerRequest& request, HTTPServerResponse& response) {
        std::lock_guard lock(mutex_);
        ifNoneMatch_.push_back(request.get("If-None-Match", ""));
        ifModifiedSince_.push_back(request.get("If-Modified-Since", ""));
        if (failure_ != HTTPResponse::HTTP_OK) {
            response.setStatus(failure_);
            response.setContentLength(0);
            response.send();
            return;
        }
        if (!etag_.empty() && request.get("If-None-Match", "") == etag_) {
            ++notModified_;
            response.setStatus(HTTPResponse::HTTP_NOT_MODIFIED);
            response.send();
            return;
        }
        if (!etag_.empty()) {
            response.set("ETag", etag_);
        }
        if (!lastModified_.empty()) {
            response.set("Last-Modified", lastModified_);
        }
        response.setContentType("application/xml");
        response.setContentLength64(static_cast<Poco::Int64>(body_.size()));
        response.send() << body_;
    }

    mutable std::mutex mutex_;
    std::string body_;
    std::string etag_;
    std::string lastModified_;
    HTTPResponse::HTTPStatus failure_ = HTTPResponse::HTTP_OK;
    std::vector<std::string> ifNoneMatch_;
    std::vector<std::string> ifModifiedSince_;
    std::atomic<int> notModified_{0};
    LoopbackServer server_;
};

const auto kSavedAt = date::sys_days{date::year{2024} / 12 / 27} + 10h + 30min;

ScheduleSource::Options optionsFor(const TempDir& dir, const confcap::core::Clock* clock) {
    ScheduleSource::Options options;
    options.cacheDir = dir.path / "cache";
    options.connectTimeout = 2s;
    options.readTimeout = 2s;
    options.clock = clock;
    return options;
}

// Accepts only XML, as the schedule parser would.
void requireXml(std::string_view bytes) {
    if (bytes.rfind("<?xml", 0) != 0) {
        throw confcap::core::ScheduleError("The schedule is not XML.");
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_a_file_and_notices_when_it_changes) {
    TempDir dir;
    const auto path = dir.path / "schedule.xml";
    writeFile(path, kScheduleV1);
    ScheduleSource source(path.string());
    BOOST_TEST(!source.isUrl());
    BOOST_TEST(source.cacheFile().empty());

    const FetchedSchedule first = source.fetch();
    BOOST_TEST(first.bytes == kScheduleV1);
    BOOST_TEST(first.changed);
    BOOST_TEST(!first.warning);
    BOOST_TEST(first.source == path.string());

    BOOST_TEST(!source.fetch().changed);
    writeFile(path, kScheduleV2);
    const FetchedSchedule third = source.fetch();
    BOOST_TEST(third.changed);
    BOOST_TEST(third.bytes == kScheduleV2);
}

BOOST_AUTO_TEST_CASE(reads_a_large_file_and_a_pipe_whole) {
    // Larger than one read, and not a multiple of it: 300 000 bytes, each line numbered.
    std::string content;
    for (int line = 0; content.size() < 300000; ++line) {
        content += "<!-- line " + std::to_string(line) + " -->\n";
    }
    content.resize(300000);
    TempDir dir;
    const auto file = dir.path / "large.xml";
    writeFile(file, content);
    BOOST_TEST(ScheduleSource(file.string()).fetch().bytes == content);

    // A named pipe has no size to read up front (--schedule <(curl ...)).
    const auto fifo = dir.path / "pipe.xml";
    BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::thread writer([&] {
        std::ofstream out(fifo, std::ios::binary);
        out << content;
    });
    const FetchedSchedule piped = ScheduleSource(fifo.string()).fetch();
    writer.join();
    BOOST_TEST(piped.bytes.size() == content.size());
    BOOST_TEST(piped.bytes == content);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_a_permanent_error_naming_the_path) {
    TempDir dir;
    const auto path = (dir.path / "nope.xml").string();
    ScheduleSource source(path);
    try {
        source.fetch();
        BOOST_FAIL("no error");
    } catch (const FetchError& error) {
        BOOST_TEST((error.kind() == ErrorKind::Permanent));
        BOOST_TEST(std::string(error.what()) == "The schedule file " + path + " does not exist.");
    }
}

BOOST_AUTO_TEST_CASE(caches_a_url_and_revalidates_with_its_etag) {
    TempDir dir;
    ScheduleServer server;
    server.publish(kScheduleV1, "\"v1\"", "Fri, 27 Dec 2024 09:00:00 GMT");
    confcap::testing::FakeClock clock(kSavedAt);
    ScheduleSource source(server.url(), optionsFor(dir, &clock), requireXml);
    BOOST_TEST(source.isUrl());
    BOOST_TEST(source.cacheFile().parent_path() == dir.path / "cache");

    const FetchedSchedule first = source.fetch();
    BOOST_TEST(first.bytes == kScheduleV1);
    BOOST_TEST(first.changed);
    BOOST_TEST(!first.warning);
    const std::string cached = readFile(source.cacheFile());
    BOOST_TEST(cached.size() > kScheduleV1.size());
    BOOST_TEST(cached.substr(cached.size() - kScheduleV1.size()) == kScheduleV1);

    const FetchedSchedule second = source.fetch();
    BOOST_TEST(second.bytes == kScheduleV1);
    BOOST_TEST(!second.changed);
    BOOST_TEST(!second.warning);
    BOOST_TEST(!second.fromCache);  // a 304 is a fresh answer
    BOOST_TEST(server.notModified() == 1);
    BOOST_TEST(server.ifNoneMatch().at(0) == "");
    BOOST_TEST(server.ifNoneMatch().at(1) == "\"v1\"");
    BOOST_TEST(server.ifModifiedSince().at(1) == "Fri, 27 Dec 2024 09:00:00 GMT");

    // A later run starts from the cache on disk: the same bytes are not a change.
    ScheduleSource nextRun(server.url(), optionsFor(dir, &clock), requireXml);
    const FetchedSchedule again = nextRun.fetch();
    BOOST_TEST(again.bytes == kScheduleV1);
    BOOST_TEST(!again.changed);
    BOOST_TEST(server.notModified() == 2);
}

BOOST_AUTO_TEST_CASE(new_bytes_from_the_server_are_a_change_and_replace_the_cache) {
    TempDir dir;
    ScheduleServer server;
    server.publish(kScheduleV1, "\"v1\"");
    ScheduleSource source(server.url(), optionsFor(dir, nullptr), requireXml);
    BOOST_TEST(source.fetch().changed);

    server.publish(kScheduleV2, "\"v2\"");
    const FetchedSchedule second = source.fetch();
    BOOST_TEST(second.bytes == kScheduleV2);
    BOOST_TEST(second.changed);
    BOOST_TEST(server.ifNoneMatch().at(1) == "\"v1\"");

    const FetchedSchedule third = source.fetch();
    BOOST_TEST(third.bytes == kScheduleV2);
    BOOST_TEST(!third.changed);
    BOOST_TEST(server.ifNoneMatch().at(2) == "\"v2\"");
}

BOOST_AUTO_TEST_CASE(a_server_that_is_down_leaves_the_cached_copy_with_a_warning) {
    TempDir dir;
    confcap::testing::FakeClock clock(kSavedAt);
    std::string url;
    {
        ScheduleServer server;
        server.publish(kScheduleV1, "\"v1\"");
        url = server.url();
        ScheduleSource source(url, optionsFor(dir, &clock));
        source.fetch();
    }
    clock.advance(3h);
    ScheduleSource source(url, optionsFor(dir, &clock));
    const FetchedSchedule result = source.fetch();
    BOOST_TEST(result.bytes == kScheduleV1);
    BOOST_TEST(!result.changed);
    BOOST_TEST(result.fromCache);
    BOOST_REQUIRE(result.warning);
    BOOST_TEST(*result.warning == "Could not connect to " + url +
                                      ": connection refused; using the copy cached at "
                                      "2024-12-27T10:30:00Z.");
}

BOOST_AUTO_TEST_CASE(a_server_error_leaves_the_cached_copy_with_a_warning) {
    TempDir dir;
    ScheduleServer server;
    server.publish(kScheduleV1, "\"v1\"");
    ScheduleSource source(server.url(), optionsFor(dir, nullptr));
    source.fetch();
    server.fail(HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
    const FetchedSchedule result = source.fetch();
    BOOST_TEST(result.bytes == kScheduleV1);
    BOOST_TEST(result.fromCache);
    BOOST_REQUIRE(result.warning);
    BOOST_TEST(result.warning->find("HTTP 503") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_server_that_is_down_without_a_cache_is_an_error) {
    TempDir dir;
    std::string url;
    {
        ScheduleServer server;
        url = server.url();
    }
    ScheduleSource source(url, optionsFor(dir, nullptr));
    try {
        source.fetch();
        BOOST_FAIL("no error");
    } catch (const FetchError& error) {
        BOOST_TEST((error.kind() == ErrorKind::Transient));
        BOOST_TEST(std::string(error.what()).find(url) != std::string::npos);
    }
    BOOST_TEST(!std::filesystem::exists(source.cacheFile()));
}

BOOST_AUTO_TEST_CASE(an_error_page_served_with_200_never_replaces_the_cached_copy) {
    TempDir dir;
    confcap::testing::FakeClock clock(kSavedAt);
    ScheduleServer server;
    server.publish(kScheduleV1, "\"v1\"");
    ScheduleSource source(server.url(), optionsFor(dir, &clock), requireXml);
    source.fetch();
    const std::string cacheBefore = readFile(source.cacheFile());

    server.publish("<html>Bad Gateway</html>", "\"error\"");
    const FetchedSchedule result = source.fetch();
    BOOST_TEST(result.bytes == kScheduleV1);
    BOOST_TEST(!result.changed);
    BOOST_TEST(result.fromCache);
    BOOST_REQUIRE(result.warning);
    BOOST_TEST(*result.warning ==
               "The schedule is not XML; using the copy cached at 2024-12-27T10:30:00Z.");
    BOOST_TEST(readFile(source.cacheFile()) == cacheBefore);
    // The rejected copy's ETag was not kept either: the next request revalidates the good one.
    source.fetch();
    BOOST_TEST(server.ifNoneMatch().back() == "\"v1\"");
}

BOOST_AUTO_TEST_CASE(an_error_page_without_a_cached_copy_is_the_validators_error) {
    TempDir dir;
    ScheduleServer server;
    server.publish("<html>Bad Gateway</html>", "\"error\"");
    ScheduleSource source(server.url(), optionsFor(dir, nullptr), requireXml);
    BOOST_CHECK_THROW(source.fetch(), confcap::core::ScheduleError);
    BOOST_TEST(!std::filesystem::exists(source.cacheFile()));
}

BOOST_AUTO_TEST_CASE(the_default_cache_folder_follows_xdg) {
    const char* oldXdg = std::getenv("XDG_CACHE_HOME");
    const char* oldHome = std::getenv("HOME");
    const std::string savedXdg = oldXdg ? oldXdg : "";
    const std::string savedHome = oldHome ? oldHome : "";

    ::setenv("XDG_CACHE_HOME", "/tmp/xdg-cache", 1);
    ::setenv("HOME", "/home/someone", 1);
    BOOST_TEST(ScheduleSource::defaultCacheDir() == "/tmp/xdg-cache/confcap");
    ::unsetenv("XDG_CACHE_HOME");
    BOOST_TEST(ScheduleSource::defaultCacheDir() == "/home/someone/.cache/confcap");
    ScheduleSource source("https://example.org/schedule.xml");
    BOOST_TEST(source.cacheFile().parent_path() == "/home/someone/.cache/confcap");
    BOOST_TEST(source.cacheFile().filename().string().rfind("schedule-", 0) == 0u);
    BOOST_TEST(source.cacheFile() != ScheduleSource("https://example.org/other.xml").cacheFile());

    if (oldXdg) {
        ::setenv("XDG_CACHE_HOME", savedXdg.c_str(), 1);
    }
    if (oldHome) {
        ::setenv("HOME", savedHome.c_str(), 1);
    } else {
        ::unsetenv("HOME");
    }
}

BOOST_AUTO_TEST_SUITE_END()

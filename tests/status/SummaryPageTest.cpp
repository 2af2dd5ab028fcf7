#include "confcap/status/SummaryPage.h"
#include "support/TextCount.h"

#include <boost/test/unit_test.hpp>

#include <date/tz.h>

BOOST_AUTO_TEST_SUITE(SummaryPageTest)

using namespace confcap::status;
using namespace std::chrono_literals;
using confcap::core::Instant;

using confcap::testing::occurrences;

namespace {

const Instant kDay = date::sys_days{date::year{2024} / 12 / 27};

SummaryRow row(std::string key, std::string room, std::string title, std::string outcome,
               Instant from) {
    SummaryRow r;
    r.talk.key = std::move(key);
    r.talk.room = std::move(room);
    r.talk.title = std::move(title);
    r.talk.state = std::move(outcome);
    r.talk.from = from;
    r.talk.until = from + 60min;
    r.talkStart = from + 5min;
    r.scheduledSeconds = 3000;
    return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(showsEachTalkWithPictureFlagsGapsAndLink) {
    auto recorded = row("a", "Saal 1", "Opening", "recorded", kDay + 9h);
    recorded.talk.gaps = {{600, 90, "outage", "HTTP 503", false}};
    fillFinished(recorded.talk, true);
    recorded.talk.href = "../Saal%201/opening.ts";
    recorded.file = "Saal 1/opening.ts";
    recorded.coveredSeconds = 3000;
    recorded.thumbnail = "thumbs/a.jpg";
    recorded.strip = "thumbs/a-strip.jpg";
    recorded.flags = {"silent 38 min from 10:42", "frozen picture 5 min from 11:02"};
    auto failed = row("b", "Saal 2", "Dark", "failed", kDay + 10h);
    failed.reason = "the stream never answered (HTTP 404)";
    fillFinished(failed.talk, false);
    SummaryPageInfo info;
    info.folders = {"out"};
    info.zone = date::locate_zone("Europe/Berlin");
    info.written = kDay + 12h;
    const auto page = summaryHtml({recorded, failed}, info);

    BOOST_TEST(page.starts_with("<!DOCTYPE html>"));
    BOOST_TEST(page.find("2 talks: 1 failed, 1 recorded") != std::string::npos);
    BOOST_TEST(page.find("all times in <strong id=\"zone\">Europe/Berlin</strong>") !=
               std::string::npos);
    // The timeline, without a now line, with the gap by its cause.
    BOOST_TEST(occurrences(page, "<svg class=\"timeline\"") == 1u);
    BOOST_TEST(page.find("class=\"now\"") == std::string::npos);
    BOOST_TEST(page.find("class=\"gap\" data-cause=\"outage\"") != std::string::npos);
    // One row per talk.
    BOOST_TEST(page.find("<tr class=\"recorded\" data-key=\"a\">") != std::string::npos);
    BOOST_TEST(page.find("<tr class=\"failed\" data-key=\"b\">") != std::string::npos);
    BOOST_TEST(page.find("<img class=\"thumb\" src=\"thumbs/a.jpg\"") != std::string::npos);
    BOOST_TEST(page.find("<img class=\"strip\" src=\"thumbs/a-strip.jpg\"") != std::string::npos);
    BOOST_TEST(occurrences(page, "<div class=\"nothumb\">") ==
               1u);  // the failed talk's placeholder
    BOOST_TEST(page.find("<li>silent 38 min from 10:42</li>") != std::string::npos);
    BOOST_TEST(page.find("<li>frozen picture 5 min from 11:02</li>") != std::string::npos);
    BOOST_TEST(page.find("<a href=\"../Saal%201/opening.ts\">Saal 1/opening.ts</a>") !=
               std::string::npos);
    BOOST_TEST(page.find("1 gap, 90 s<br>outage: 90 s") != std::string::npos, page);
    BOOST_TEST(page.find("50.0 min of 50.0 min (100%)") != std::string::npos);
    BOOST_TEST(page.find("the stream never answered (HTTP 404)") != std::string::npos);
    // The talk's start in the conference's zone (09:05 UTC is 10:05 in Berlin).
    BOOST_TEST(page.find("2024-12-27 10:05 &middot; Saal 1") != std::string::npos);
    // Self-contained: no script, nothing fetched from elsewhere.
    BOOST_TEST(page.find("<script") == std::string::npos);
    BOOST_TEST(page.find("http://") == std::string::npos);
    BOOST_TEST(page.find("https://") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(severalFoldersNameEachCopysFolderAndDrawTheBestOnce) {
    auto first = row("a", "Saal 1", "Opening", "recorded", kDay + 9h);
    first.folder = "host1";
    first.copies = 2;
    first.best = true;
    fillFinished(first.talk, true);
    auto second = first;
    second.folder = "host2";
    second.best = false;
    SummaryPageInfo info;
    info.folders = {"host1", "host2"};
    info.written = kDay + 12h;
    const auto page = summaryHtml({first, second}, info);
    BOOST_TEST(page.find("1 talk in 2 folders: 2 recorded") != std::string::npos);
    BOOST_TEST(page.find("in host1 (the best of 2 copies)") != std::string::npos);
    BOOST_TEST(page.find("in host2") != std::string::npos);
    BOOST_TEST(occurrences(page, "<g class=\"talk ") == 1u);
    BOOST_TEST(page.find("all times in <strong id=\"zone\">UTC</strong>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(aHostileTitleFlagOrFileIsText) {
    auto r = row("k", "Saal <1>", "<script>alert(1)</script> \"&", "recorded", kDay + 9h);
    r.flags = {"<img src=x onerror=alert(1)>"};
    r.talk.href = relativeUrl("../a\"<b>.ts");
    r.file = "a\"<b>.ts";
    r.reason = "</td><script>";
    SummaryPageInfo info;
    info.folders = {"<out>"};
    const auto page = summaryHtml({r}, info);
    BOOST_TEST(page.find("<script") == std::string::npos);
    BOOST_TEST(page.find("<img src") == std::string::npos);
    BOOST_TEST(page.find("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp;") != std::string::npos);
    BOOST_TEST(page.find("href=\"../a%22%3Cb%3E.ts\"") != std::string::npos);
    BOOST_TEST(page.find("folder &lt;out&gt;") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

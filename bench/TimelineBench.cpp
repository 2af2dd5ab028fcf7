// Times the status page's timeline for a big conference day: ROOMS rooms with TALKS talks in
// all (default 30 and 300), each with covered spans and two gaps, drawn by status::timelineSvg
// and as the whole status page, as often as the page refreshes.
// Usage: confcap-bench-timeline [ROOMS] [TALKS] [ROUNDS]

#include <date/tz.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "confcap/status/StatusJson.h"
#include "confcap/status/StatusPage.h"
#include "confcap/status/Timeline.h"

using namespace std::chrono_literals;
using confcap::core::Instant;
using confcap::status::JobSnapshot;
using confcap::status::JobState;

namespace {

std::vector<JobSnapshot> conferenceDay(int rooms, int talks, Instant now) {
    const Instant day = std::chrono::floor<std::chrono::days>(now) + 8h;
    std::vector<JobSnapshot> jobs;
    const int perRoom = std::max(1, talks / rooms);
    for (int i = 0; i < talks; ++i) {
        JobSnapshot j;
        const int room = i % rooms;
        const int slot = i / rooms;
        j.key = "talk-" + std::to_string(i);
        j.room = "Saal " + std::to_string(room + 1);
        j.title = "Talk " + std::to_string(i) + ": a title of usual length & <markup>";
        j.from = day + slot * (12h / perRoom);
        j.until = j.from + 50min;
        j.talkStart = j.from + 1min;
        j.talkEnd = j.until - 5min;
        j.state = j.until < now   ? JobState::Recorded
                  : j.from <= now ? JobState::Recording
                                  : JobState::Waiting;
        if (j.state != JobState::Waiting) {
            j.file = j.room + "/" + j.key + ".ts";
            j.bytes = 1'000'000;
            j.lastData = std::chrono::system_clock::time_point(std::min(now, j.until));
            for (const auto& [at, cause] :
                 {std::pair{5min, "outage"}, {20min, "stream restarted"}}) {
                confcap::core::Gap gap;
                gap.at = std::chrono::system_clock::time_point(j.from + at);
                gap.length = 40s;
                gap.cause = cause;
                j.gapSpans.push_back(gap);
            }
        }
        jobs.push_back(std::move(j));
    }
    return jobs;
}

}  // namespace

int main(int argc, char** argv) {
    const int rooms = argc > 1 ? std::atoi(argv[1]) : 30;
    const int talks = argc > 2 ? std::atoi(argv[2]) : 300;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 50;
    const Instant now =
        std::chrono::floor<std::chrono::days>(
            std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now())) +
        14h;
    const auto jobs = conferenceDay(rooms, talks, now);
    const auto* zone = date::locate_zone("Europe/Berlin");
    using Clock = std::chrono::steady_clock;

    std::size_t bytes = 0;
    auto began = Clock::now();
    for (int i = 0; i < rounds; ++i) {
        bytes = confcap::status::statusTimeline(jobs, now, {}, zone).size();
    }
    const double svgMs =
        std::chrono::duration<double, std::milli>(Clock::now() - began).count() / rounds;

    confcap::status::StatusContext context;
    context.zone = zone;
    std::size_t pageBytes = 0;
    began = Clock::now();
    for (int i = 0; i < rounds; ++i) {
        const auto json = confcap::status::statusJson(jobs, {}, now, context);
        pageBytes = confcap::status::statusPage(jobs, {}, now, json, "bench", context).size();
    }
    const double pageMs =
        std::chrono::duration<double, std::milli>(Clock::now() - began).count() / rounds;

    std::cout << rooms << " rooms, " << talks << " talks: timeline SVG " << svgMs << " ms ("
              << bytes / 1024 << " KiB); whole status page with its JSON " << pageMs << " ms ("
              << pageBytes / 1024 << " KiB); mean of " << rounds << " rounds\n";
    return 0;
}

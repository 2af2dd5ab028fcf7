// A fake conference on loopback: a frab schedule.xml whose talks lie seconds ahead, served over
// HTTP with ETag support and changeable while running, plus each room's live stream from a
// FakeStreamServer. `confcap demo` and the end-to-end tests record it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "confcap/demo/FakeStreamServer.h"
#include "confcap/demo/LoopbackServer.h"
#include "confcap/demo/MediaFixture.h"

namespace confcap::demo {

struct FakeRoom {
    std::string name;
    StreamSpec stream;  ///< stream.name is the URL path component
};

struct FakeTalk {
    std::string guid;
    std::string room;
    std::string title;
    std::chrono::seconds start{0};  ///< from the conference's start
    std::chrono::seconds duration{30};
    bool optout = false;
};

class FakeConference {
public:
    /// Starts the schedule and stream servers. `start` is the instant talks count from.
    /// Throws core::Error when the clip cannot be read.
    FakeConference(const MediaClip& clip, std::vector<FakeRoom> rooms, std::vector<FakeTalk> talks,
                   std::chrono::system_clock::time_point start);
    ~FakeConference();

    /// The schedule's URL.
    std::string scheduleUrl() const;
    /// `--stream` values for every room: "Room=URL".
    std::vector<std::string> streamOptions() const;
    /// Serves `talks` from now on (a new version with a new ETag). Thread-safe.
    void setTalks(std::vector<FakeTalk> talks);
    /// How often the schedule was fetched (304 answers included). Thread-safe.
    std::size_t scheduleFetches() const;
    FakeStreamServer& streams() { return *streams_; }
    std::chrono::system_clock::time_point start() const { return start_; }

    /// The schedule document for `talks` (frab XML, times in Europe/Berlin with seconds and
    /// HH:MM:SS durations). Pure.
    static std::string scheduleXml(const std::vector<FakeRoom>& rooms,
                                   const std::vector<FakeTalk>& talks,
                                   std::chrono::system_clock::time_point start, int version);

private:
    std::vector<FakeRoom> rooms_;
    std::chrono::system_clock::time_point start_;
    std::unique_ptr<FakeStreamServer> streams_;
    mutable std::mutex mutex_;
    std::string document_;
    int version_ = 1;
    std::atomic<std::size_t> fetches_{0};
    std::unique_ptr<LoopbackServer> scheduleServer_;
};

}  // namespace confcap::demo

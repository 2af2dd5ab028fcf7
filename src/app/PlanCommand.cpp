#include "confcap/app/PlanCommand.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <date/tz.h>

#include <map>

#include "confcap/app/ExitCode.h"
#include "confcap/app/FavouritesReport.h"
#include "confcap/app/ListCommand.h"
#include "confcap/app/RunOptions.h"
#include "confcap/app/ScheduleLoader.h"
#include "confcap/core/Error.h"
#include "confcap/core/Format.h"
#include "confcap/sink/OverlapLedger.h"
#include "confcap/status/TextFormat.h"

namespace confcap::app {

select::SelectionRules planRules(const Arguments& arguments) {
    auto rules = selectionRules(arguments);
    rules.respectOptout = !arguments.flag("include-optout");
    return rules;
}

plan::Plan makePlanFor(const schedule::Schedule& schedule, const Arguments& arguments,
                       const std::optional<ConferenceChoice>& conference, bool requireTalks,
                       const std::vector<select::FavouriteList>& favourites,
                       select::FavouriteMatches* matches) {
    auto rules = planRules(arguments);
    auto found = applyFavourites(rules, favourites, schedule);
    select::Selector selector(std::move(rules));
    if (requireTalks) {
        requireSelectedTalks(selector, schedule, selector.selectedTalks(schedule), &found);
    }
    auto streams = streamMap(arguments);
    addConferenceStreams(streams, conference, schedule);
    auto plan = plan::makePlan(schedule, selector, streams, planOptions(arguments));
    if (matches != nullptr) {
        *matches = std::move(found);
    }
    return plan;
}

PlanForecast planForecast(const plan::Plan& plan, const std::vector<RoomStreamCheck>* checks,
                          core::Instant now, const std::optional<run::DiskSpace>& space,
                          const run::MinFree& minFree) {
    plan::RoomRates rates;
    if (checks != nullptr) {
        for (const auto& c : *checks) {
            if (c.check.bandwidth > 0) {
                rates.announced[c.room] = static_cast<double>(c.check.bandwidth);
            }
        }
    }
    PlanForecast result;
    result.forecast = plan::forecastDisk(plan.jobs, rates, now);
    std::map<std::string, plan::RoomRate> rooms;
    for (const auto& job : plan.jobs) {
        rooms.emplace(job.talk.room, rates.rateFor(job));
    }
    result.rooms.assign(rooms.begin(), rooms.end());
    result.space = space;
    if (space) {
        result.reserveBytes = run::reserveBytes(minFree, space->totalBytes);
        result.runsOutAt = plan::diskRunsOutAt(plan.jobs, rates, now, space->freeBytes);
    }
    return result;
}

TapeOptions tapeOptions(const Arguments& arguments) {
    TapeOptions tape;
    tape.keep = durationOption(arguments, "keep-tape", tape.keep);
    tape.bridge = durationOption(arguments, "tape-bridge", tape.bridge);
    return tape;
}

/// `folder`, or the nearest folder above it that exists (--out is created by record).
std::filesystem::path existingFolder(const std::filesystem::path& folder) {
    std::error_code error;
    auto existing = std::filesystem::absolute(folder, error);
    while (!error && !std::filesystem::exists(existing, error) && existing.has_relative_path()) {
        existing = existing.parent_path();
    }
    return existing;
}

std::optional<run::DiskSpace> spaceFor(const std::filesystem::path& folder) {
    try {
        return run::freeSpaceOf(existingFolder(folder))();
    } catch (const core::OutputError&) {
        return std::nullopt;
    }
}

void printForecast(const PlanForecast& forecast, const std::string& outDir, const std::string& zone,
                   std::ostream& out) {
    const auto& f = forecast.forecast;
    out << "\nDisk forecast: at most " << core::formatRate(f.peakBitsPerSecond)
        << " at once from now (" << core::formatBytes(f.peakBytesPerHour)
        << " an hour); the whole selection " << core::formatBytes(f.totalBytes) << ", "
        << core::formatBytes(f.neededBytes) << " of it still to come.\n";
    if (forecast.space) {
        out << "  " << core::formatBytes(forecast.space->freeBytes) << " free on "
            << status::sanitize(outDir) << " (--min-free "
            << core::formatBytes(forecast.reserveBytes) << "): ";
        if (forecast.runsOutAt) {
            const date::time_zone* tz = zone.empty() ? nullptr : date::locate_zone(zone);
            const auto local = tz != nullptr
                                   ? tz->to_local(*forecast.runsOutAt)
                                   : date::local_seconds(forecast.runsOutAt->time_since_epoch());
            out << "it does not fit, the free space runs out " << date::format("%a %H:%M", local)
                << ".\n";
        } else if (forecast.space->freeBytes < forecast.reserveBytes + f.neededBytes) {
            out << "it fits, but reaches below --min-free.\n";
        } else {
            out << "it fits.\n";
        }
    } else {
        out << "  The free space of " << status::sanitize(outDir) << " cannot be read.\n";
    }
    if (f.overlapBytes > 0) {
        out << "  Back-to-back windows overlap for " << core::formatDuration(f.overlapSeconds)
            << " (" << core::formatBytes(f.overlapBytes) << " of the selection, in the files of "
            << "both talks); "
            << (forecast.sharesBlocks
                    ? "this file system shares blocks, so that is on disk once.\n"
                    : "a file system that shares blocks (XFS, btrfs) would keep it once.\n");
    }
    if (forecast.tape) {
        out << "  Room tapes (for confcap recut): " << core::formatDuration(forecast.tape->seconds)
            << " of the rooms' streams; they share the talks' files and add "
            << core::formatBytes(forecast.tape->bytes) << " for what lies between talks, kept "
            << core::formatDuration(forecast.keepTape) << " (--keep-tape; 0 keeps none).\n";
    }
    if (!forecast.rooms.empty()) {
        out << "  Rates:";
        const char* separator = " ";
        for (const auto& [room, rate] : forecast.rooms) {
            out << separator << status::sanitize(room) << " "
                << core::formatRate(rate.bitsPerSecond) << " (" << plan::toString(rate.source)
                << ")";
            separator = ", ";
        }
        out << "\n";
    }
}

void printPlanJson(const plan::Plan& plan, const std::optional<source::RecorderCommand>& recorder,
                   std::ostream& out, const std::vector<RoomStreamCheck>* checks,
                   const std::optional<plan::Shard>& shard, const PlanForecast* forecast,
                   const std::vector<FavouriteOutcome>* favourites) {
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    Poco::JSON::Array::Ptr jobs = new Poco::JSON::Array;
    for (const auto& job : plan.jobs) {
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        j->set("talk", talkJson(job.talk));
        j->set("stream", job.stream);
        j->set("recorder", source::recorderFor(recorder, job.stream));
        j->set("from", core::formatUtc(job.from));
        j->set("until", core::formatUtc(job.until));
        j->set("file", job.fileStem.string() + "." + job.expectedExtension);
        jobs->add(j);
    }
    root.set("jobs", jobs);
    Poco::JSON::Array::Ptr skipped = new Poco::JSON::Array;
    for (const auto& s : plan.skipped) {
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        j->set("talk", talkJson(s.talk));
        j->set("reason", s.reason);
        skipped->add(j);
    }
    root.set("skipped", skipped);
    if (shard) {
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        j->set("index", shard->index);
        j->set("count", shard->count);
        j->set("name", plan::toString(*shard));
        root.set("shard", j);
    }
    if (checks != nullptr) {
        Poco::JSON::Array::Ptr streams = new Poco::JSON::Array;
        for (const auto& c : *checks) {
            Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            j->set("room", c.room);
            j->set("url", c.url);
            j->set("state", std::string(source::toString(c.check.state)));
            j->set("summary", c.check.summary);
            streams->add(j);
        }
        root.set("streams", streams);
    }
    if (forecast != nullptr) {
        const auto& f = forecast->forecast;
        const auto orNull = [](bool known, Poco::UInt64 value) {
            return known ? Poco::Dynamic::Var(value) : Poco::Dynamic::Var();
        };
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        j->set("peak_bits_per_second", f.peakBitsPerSecond);
        j->set("peak_bytes_per_hour", static_cast<Poco::UInt64>(f.peakBytesPerHour));
        j->set("total_bytes", static_cast<Poco::UInt64>(f.totalBytes));
        j->set("needed_bytes", static_cast<Poco::UInt64>(f.neededBytes));
        const bool known = forecast->space.has_value();
        j->set("free_bytes", orNull(known, known ? forecast->space->freeBytes : 0));
        j->set("min_free_bytes", orNull(known, forecast->reserveBytes));
        j->set("fits", known ? Poco::Dynamic::Var(!forecast->runsOutAt) : Poco::Dynamic::Var());
        j->set("runs_out_at", forecast->runsOutAt
                                  ? Poco::Dynamic::Var(core::formatUtc(*forecast->runsOutAt))
                                  : Poco::Dynamic::Var());
        Poco::JSON::Array::Ptr rooms = new Poco::JSON::Array;
        for (const auto& [room, rate] : forecast->rooms) {
            Poco::JSON::Object::Ptr r = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            r->set("room", room);
            r->set("bits_per_second", rate.bitsPerSecond);
            r->set("source", std::string(plan::toString(rate.source)));
            rooms->add(r);
        }
        j->set("rooms", rooms);
        j->set("overlap_seconds", static_cast<Poco::Int64>(f.overlapSeconds.count()));
        j->set("overlap_bytes", static_cast<Poco::UInt64>(f.overlapBytes));
        j->set("shares_blocks", forecast->sharesBlocks);
        if (forecast->tape) {
            j->set("tape_seconds", static_cast<Poco::Int64>(forecast->tape->seconds.count()));
            j->set("tape_bytes", static_cast<Poco::UInt64>(forecast->tape->bytes));
            j->set("keep_tape_seconds", static_cast<Poco::Int64>(forecast->keepTape.count()));
        }
        root.set("forecast", j);
    }
    if (favourites != nullptr) {
        root.set("favourites", favouritesJson(*favourites));
    }
    printJson(root, out);
}

void printPlanTable(const schedule::Schedule& schedule, const plan::Plan& plan,
                    const std::optional<source::RecorderCommand>& recorder, const std::string& zone,
                    const std::string& outDir, std::ostream& out,
                    const std::optional<plan::Shard>& shard) {
    const date::time_zone* tz = zone.empty() ? nullptr : date::locate_zone(zone);
    const auto local = [&](core::Instant t) {
        return tz != nullptr ? tz->to_local(t) : date::local_seconds(t.time_since_epoch());
    };
    const auto& conf = schedule.conference;
    out << (conf.title.empty() ? "Schedule" : conf.title) << ": " << plan.jobs.size()
        << (plan.jobs.size() == 1 ? " talk" : " talks") << " to record into " << outDir
        << ", times in " << (tz != nullptr ? zone : std::string("UTC")) << "\n";
    if (shard) {
        std::map<std::string, int> rooms;  // room -> its shard, for this shard's and the others'
        for (const auto& job : plan.jobs) {
            rooms.emplace(job.talk.room, shard->index);
        }
        for (const auto& s : plan.skipped) {
            const auto* room = schedule.findRoom(s.talk.room);
            rooms.emplace(s.talk.room, plan::shardOf(room != nullptr ? plan::shardKey(*room)
                                                                     : plan::shardKey(s.talk),
                                                     shard->count));
        }
        std::string mine;
        std::string others;
        for (const auto& [room, owner] : rooms) {
            auto& list = owner == shard->index ? mine : others;
            list +=
                (list.empty() ? "" : ", ") + status::sanitize(room) +
                (owner == shard->index ? "" : " (" + plan::toString({owner, shard->count}) + ")");
        }
        out << "Shard " << plan::toString(*shard) << " records "
            << (mine.empty() ? "no room" : mine)
            << "; other shards: " << (others.empty() ? "none" : others) << "\n";
    }
    for (const auto& job : plan.jobs) {
        out << "\n  " << date::format("%a %Y-%m-%d %H:%M", local(job.from)) << "–"
            << date::format("%H:%M", local(job.until)) << "  "
            << status::fit(status::sanitize(job.talk.room), 16) << "  "
            << status::truncateToWidth(status::sanitize(job.talk.title), 50) << "\n"
            << "      file:   " << status::sanitize(job.fileStem.string()) << "."
            << job.expectedExtension << "\n"
            << "      stream: " << status::sanitize(job.stream) << "\n";
        if (recorder) {
            out << "      recorder: " << source::recorderFor(recorder, job.stream) << "\n";
        }
    }
    if (!plan.skipped.empty()) {
        out << "\nNot recorded (" << plan.skipped.size() << "):\n";
        for (const auto& s : plan.skipped) {
            out << "  " << date::format("%a %H:%M", local(s.talk.start)) << "  "
                << status::fit(status::sanitize(s.talk.room), 16) << "  "
                << status::fit(status::sanitize(s.talk.title), 40) << "  " << s.reason << "\n";
        }
    }
}

void printStreamChecks(const std::vector<RoomStreamCheck>& checks, std::ostream& out) {
    out << "\nStreams, checked now (" << checks.size() << "):\n";
    for (const auto& c : checks) {
        out << "  " << status::fit(status::sanitize(c.room), 16) << "  "
            << status::fit(status::sanitize(c.check.summary), 44) << "  " << status::sanitize(c.url)
            << "\n";
    }
}

namespace {

/// One room of the schedule and the shard that records it.
struct RoomShard {
    std::string room;
    std::string key;
    int shard = 1;
    std::size_t talks = 0;  ///< the room's talks in the plan (selected, with a stream)
};

/// Every room of the schedule with its shard of `count`, in the schedule's order; the talks
/// counted are `plan`'s jobs.
std::vector<RoomShard> roomShards(const schedule::Schedule& schedule, const plan::Plan& plan,
                                  int count) {
    std::vector<RoomShard> rooms;
    std::map<std::string, std::size_t> byKey;
    const auto add = [&](const std::string& name, const std::string& key) -> RoomShard& {
        const auto [it, added] = byKey.emplace(key, rooms.size());
        if (added) {
            rooms.push_back({name, key, plan::shardOf(key, count), 0});
        }
        return rooms[it->second];
    };
    for (const auto& room : schedule.rooms) {
        add(room.name, plan::shardKey(room));
    }
    for (const auto& job : plan.jobs) {
        const auto* room = schedule.findRoom(job.talk.room);
        ++add(job.talk.room, room != nullptr ? plan::shardKey(*room) : plan::shardKey(job.talk))
              .talks;
    }
    return rooms;
}

/// Rooms and talks per shard of `count`.
std::vector<std::pair<std::size_t, std::size_t>> perShard(const std::vector<RoomShard>& rooms,
                                                          int count) {
    std::vector<std::pair<std::size_t, std::size_t>> totals(static_cast<std::size_t>(count));
    for (const auto& r : rooms) {
        auto& total = totals[static_cast<std::size_t>(r.shard - 1)];
        ++total.first;
        total.second += r.talks;
    }
    return totals;
}

const char* plural(std::size_t n, const char* one, const char* many) {
    return n == 1 ? one : many;
}

}  // namespace

void printShardsTable(const schedule::Schedule& schedule, const plan::Plan& plan, int count,
                      std::ostream& out) {
    const auto rooms = roomShards(schedule, plan, count);
    const auto& conf = schedule.conference;
    out << (conf.title.empty() ? "Schedule" : conf.title) << ": " << rooms.size()
        << plural(rooms.size(), " room", " rooms") << " in " << count
        << plural(static_cast<std::size_t>(count), " shard", " shards") << "\n\n";
    for (const auto& r : rooms) {
        out << "  " << status::fit(status::sanitize(r.room), 24) << "  shard "
            << status::fit(plan::toString({r.shard, count}), 9) << "  " << r.talks
            << plural(r.talks, " talk", " talks") << "\n";
    }
    out << "\n";
    const auto totals = perShard(rooms, count);
    for (int index = 1; index <= count; ++index) {
        const auto& [roomCount, talks] = totals[static_cast<std::size_t>(index - 1)];
        out << "  shard " << status::fit(plan::toString({index, count}), 9) << "  " << roomCount
            << plural(roomCount, " room, ", " rooms, ") << talks << plural(talks, " talk", " talks")
            << "\n";
    }
}

void printShardsJson(const schedule::Schedule& schedule, const plan::Plan& plan, int count,
                     std::ostream& out) {
    const auto rooms = roomShards(schedule, plan, count);
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    root.set("shards", count);
    Poco::JSON::Array::Ptr roomArray = new Poco::JSON::Array;
    for (const auto& r : rooms) {
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        j->set("room", r.room);
        j->set("key", r.key);
        j->set("shard", r.shard);
        j->set("talks", r.talks);
        roomArray->add(j);
    }
    root.set("rooms", roomArray);
    Poco::JSON::Array::Ptr shardArray = new Poco::JSON::Array;
    const auto totals = perShard(rooms, count);
    for (int index = 1; index <= count; ++index) {
        const auto& [roomCount, talks] = totals[static_cast<std::size_t>(index - 1)];
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        j->set("shard", index);
        j->set("name", plan::toString({index, count}));
        j->set("rooms", roomCount);
        j->set("talks", talks);
        shardArray->add(j);
    }
    root.set("perShard", shardArray);
    printJson(root, out);
}

int runPlan(const Arguments& given, std::ostream& out, std::ostream& err) {
    // What record would refuse at start, plan reports too.
    const auto recorder = checkRecorder(given);
    const auto shard = planOptions(given).shard;
    std::optional<int> shardCount;
    if (const auto shards = given.value("shards")) {
        shardCount = plan::parseShardCount(*shards);
    }
    const auto conference = resolveConference(given, err);
    const auto arguments = withFavouritesSchedule(withConference(given, conference));
    FavouritesReader favourites;
    favourites.read(arguments, err);
    const auto schedule = loadSchedule(arguments, err);
    select::FavouriteMatches matches;
    const auto plan =
        makePlanFor(schedule, arguments, conference, true, favourites.lists(), &matches);
    reportConferenceRooms(conference, schedule, err);
    warnUnmatchedFavourites(matches, err);
    auto rules = planRules(arguments);
    rules.favourites = matches.talks;
    const auto outcomes = favouriteOutcomes(matches, plan, select::Selector(std::move(rules)));
    if (shardCount) {
        const int count = *shardCount;
        if (arguments.flag("json")) {
            printShardsJson(schedule, plan, count, out);
        } else {
            printShardsTable(schedule, plan, count, out);
        }
        return kExitOk;
    }
    const auto minFree = minFreeOption(arguments);
    std::optional<std::vector<RoomStreamCheck>> checks;
    if (arguments.flag("check-streams")) {
        checks = checkRoomStreams(
            plan, {arguments.value("ca-file").value_or(""), std::chrono::seconds(10),
                   arguments.value("variant").value_or("")});
    }
    const auto outDir = outputFolder(arguments);
    auto forecast =
        planForecast(plan, checks ? &*checks : nullptr,
                     std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
                     spaceFor(outDir), minFree);
    forecast.sharesBlocks = sink::sharedBlockSize(existingFolder(outDir)).has_value();
    if (const auto tape = tapeOptions(arguments); tape.keep.count() > 0) {
        plan::RoomRates rates;
        for (const auto& [room, rate] : forecast.rooms) {
            rates.announced[room] = rate.bitsPerSecond;
        }
        forecast.tape = plan::forecastTape(plan.jobs, rates, tape.bridge);
        forecast.keepTape = tape.keep;
    }
    if (arguments.flag("json")) {
        printPlanJson(plan, recorder, out, checks ? &*checks : nullptr, shard, &forecast,
                      favourites.lists().empty() ? nullptr : &outcomes);
    } else {
        const auto zone = arguments.flag("utc") ? std::string() : schedule.conference.timeZone;
        printPlanTable(schedule, plan, recorder, zone, outDir.string(), out, shard);
        if (checks) {
            printStreamChecks(*checks, out);
        }
        printForecast(forecast, outDir.string(), zone, out);
        if (!favourites.lists().empty()) {
            printFavourites(outcomes, zone, out);
        }
    }
    return kExitOk;
}

}  // namespace confcap::app

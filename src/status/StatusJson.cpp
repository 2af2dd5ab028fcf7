#include "confcap/status/StatusJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <sstream>

#include "confcap/core/Format.h"
#include "confcap/core/Text.h"
#include "confcap/status/TerminalTable.h"
#include "confcap/status/TextFormat.h"
#include "confcap/status/Timeline.h"

namespace confcap::status {

namespace {

constexpr std::array kStates{JobState::Waiting,    JobState::Recording, JobState::Retrying,
                             JobState::Finalizing, JobState::Recorded,  JobState::Discarded,
                             JobState::Failed,     JobState::Skipped,   JobState::Cancelled,
                             JobState::Interrupted};

/// Seconds to the millisecond (0 for what JSON cannot hold).
double rounded(double seconds) {
    return std::round(finiteOrZero(seconds) * 1000) / 1000;
}

Poco::JSON::Object::Ptr newObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

Poco::JSON::Object::Ptr jobJson(const JobSnapshot& job, core::Instant now) {
    auto mark = newObject();
    mark->set("room", sanitize(job.mark.room));
    mark->set("talk", sanitize(job.mark.talk));
    auto o = newObject();
    o->set("key", sanitize(job.key));
    o->set("room", sanitize(job.room));
    o->set("title", sanitize(job.title));
    o->set("mark", mark);
    o->set("talk_start", core::formatUtc(job.talkStart));
    o->set("talk_end", core::formatUtc(job.talkEnd));
    o->set("from", core::formatUtc(job.from));
    o->set("until", core::formatUtc(job.until));
    o->set("window_seconds", static_cast<Poco::Int64>((job.until - job.from).count()));
    o->set("state", stateName(job.state));
    o->set("reason", sanitize(job.reason));
    o->set("file", core::toValidUtf8(job.file));
    if (job.file.empty()) {
        o->set("url", Poco::Dynamic::Var());
    } else {
        o->set("url", recordingUrl(job.file));
    }
    o->set("bytes", static_cast<Poco::UInt64>(job.bytes));
    o->set("bits_per_second", finiteOrZero(job.bitsPerSecond));
    o->set("covered_seconds", finiteOrZero(job.coveredSeconds));
    o->set("coverage", coverage(job, now));
    o->set("gap_seconds", finiteOrZero(job.gapSeconds));
    o->set("gaps", job.gaps);
    o->set("reconnects", job.reconnects);
    const auto talk = timelineTalk(job, now);
    Poco::JSON::Array::Ptr covered = new Poco::JSON::Array;
    for (const auto& span : talk.covered) {
        auto c = newObject();
        c->set("offset_seconds", rounded(span.offset));
        c->set("seconds", rounded(span.seconds));
        covered->add(c);
    }
    o->set("covered_spans", covered);
    Poco::JSON::Array::Ptr gaps = new Poco::JSON::Array;
    for (const auto& gap : talk.gaps) {
        auto g = newObject();
        g->set("offset_seconds", rounded(gap.offset));
        g->set("seconds", rounded(gap.seconds));
        g->set("cause", sanitize(gap.cause));
        g->set("detail", sanitize(gap.detail));
        g->set("open", gap.open);
        gaps->add(g);
    }
    o->set("gap_spans", gaps);
    if (job.health.content) {
        o->set("health", health::toJson(*job.health.content));
    }
    if (isActive(job.state) && job.health.live.any()) {
        o->set("liveHealth", health::toJson(job.health.live));
    }
    Poco::JSON::Array::Ptr flags = new Poco::JSON::Array;
    for (const auto& flag : healthFlags(job)) {
        flags->add(flag);
    }
    o->set("health_flags", flags);
    if (!job.health.middleThumbnail.empty()) {
        auto thumbnails = newObject();
        thumbnails->set("middle", job.health.middleThumbnail);
        thumbnails->set("strip", job.health.stripThumbnail);
        o->set("thumbnails", thumbnails);
    }
    return o;
}

}  // namespace

std::vector<std::string> healthFlags(const JobSnapshot& job) {
    return isActive(job.state) ? job.health.liveFlags : job.health.flags;
}

std::string stateName(JobState state) {
    std::string name = toString(state);
    for (auto& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return name;
}

std::string percentEncoded(std::string_view text, bool keepSlashes) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' ||
            (c == '/' && keepSlashes)) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0x0F]);
        }
    }
    return out;
}

std::string recordingUrl(std::string_view file) {
    return file.empty() ? std::string() : "/recordings/" + percentEncoded(file, true);
}

std::string diskLine(const DiskSnapshot& disk, core::Instant now) {
    std::string line = "Disk: " + core::formatBytes(disk.freeBytes) + " free of " +
                       core::formatBytes(disk.totalBytes) + "; the rest of the plan needs " +
                       core::formatBytes(disk.neededBytes);
    if (disk.peakBitsPerSecond > 0) {
        line += " (at most " + core::formatRate(disk.peakBitsPerSecond) + ")";
    }
    line += "; --min-free " + core::formatBytes(disk.reserveBytes) + ".";
    if (disk.runsOutAt) {
        line += " It does not fit: the free space lasts " +
                core::formatSpan(std::chrono::floor<std::chrono::seconds>(*disk.runsOutAt) - now) +
                ".";
    }
    if (disk.belowReserve) {
        line += " Free space is below --min-free: a talk whose window opens waits for disk space.";
    }
    return line;
}

std::string zoneName(const date::time_zone* zone) {
    return zone == nullptr ? "UTC" : std::string(zone->name());
}

std::string statusJson(const std::vector<JobSnapshot>& jobs, const std::vector<Event>& events,
                       core::Instant now, const StatusContext& context) {
    const auto& summaryUrl = context.summaryUrl;
    const auto& disk = context.disk;
    auto counts = newObject();
    std::uint64_t totalBytes = 0;
    for (const auto state : kStates) {
        counts->set(stateName(state),
                    static_cast<int>(std::count_if(jobs.begin(), jobs.end(), [&](const auto& job) {
                        return job.state == state;
                    })));
    }
    Poco::JSON::Array::Ptr jobArray = new Poco::JSON::Array;
    for (const auto& job : jobs) {
        totalBytes += job.bytes;
        jobArray->add(jobJson(job, now));
    }
    Poco::JSON::Array::Ptr eventArray = new Poco::JSON::Array;
    for (const auto& event : events) {
        auto e = newObject();
        e->set("time", core::formatUtc(std::chrono::floor<std::chrono::seconds>(event.time)));
        e->set("level", std::string(toString(event.level)));
        e->set("room", sanitize(event.mark.room));
        e->set("talk", sanitize(event.mark.talk));
        e->set("message", sanitize(event.message));
        eventArray->add(e);
    }
    auto root = newObject();
    root->set("now", core::formatUtc(now));
    root->set("zone", zoneName(context.zone));
    root->set("summary_line", TerminalTable::summaryLine(jobs));
    root->set("total_bytes", static_cast<Poco::UInt64>(totalBytes));
    root->set("counts", counts);
    if (summaryUrl.empty()) {
        root->set("summary_url", Poco::Dynamic::Var());
    } else {
        root->set("summary_url", summaryUrl);
    }
    root->set("jobs", jobArray);
    root->set("events", eventArray);
    if (disk) {
        auto d = newObject();
        d->set("free_bytes", static_cast<Poco::UInt64>(disk->freeBytes));
        d->set("total_bytes", static_cast<Poco::UInt64>(disk->totalBytes));
        d->set("needed_bytes", static_cast<Poco::UInt64>(disk->neededBytes));
        d->set("min_free_bytes", static_cast<Poco::UInt64>(disk->reserveBytes));
        d->set("peak_bits_per_second", disk->peakBitsPerSecond);
        if (disk->runsOutAt) {
            d->set("runs_out_at",
                   core::formatUtc(std::chrono::floor<std::chrono::seconds>(*disk->runsOutAt)));
        } else {
            d->set("runs_out_at", Poco::Dynamic::Var());
        }
        d->set("below_min_free", disk->belowReserve);
        d->set("checked", core::formatUtc(std::chrono::floor<std::chrono::seconds>(disk->at)));
        d->set("line", diskLine(*disk, now));
        root->set("disk", d);
    } else {
        root->set("disk", Poco::Dynamic::Var());
    }
    Poco::JSON::Array::Ptr tapes = new Poco::JSON::Array;
    for (const auto& tape : context.tapes) {
        const auto utc = [](std::chrono::system_clock::time_point t) {
            return core::formatUtc(std::chrono::floor<std::chrono::seconds>(t));
        };
        auto t = newObject();
        t->set("room", sanitize(tape.room));
        t->set("bytes", static_cast<Poco::UInt64>(tape.bytes));
        t->set("writing", tape.writing);
        t->set("error", tape.error.empty() ? Poco::Dynamic::Var()
                                           : Poco::Dynamic::Var(sanitize(tape.error)));
        Poco::JSON::Array::Ptr spans = new Poco::JSON::Array;
        for (const auto& [from, until] : tape.spans) {
            auto s = newObject();
            s->set("from", utc(from));
            s->set("until", utc(until));
            spans->add(s);
        }
        t->set("from", tape.spans.empty() ? Poco::Dynamic::Var()
                                          : Poco::Dynamic::Var(utc(tape.spans.front().first)));
        t->set("until", tape.spans.empty() ? Poco::Dynamic::Var()
                                           : Poco::Dynamic::Var(utc(tape.spans.back().second)));
        t->set("spans", spans);
        tapes->add(t);
    }
    root->set("tapes", tapes);
    if (!context.timelineSvg.empty()) {
        root->set("timeline", context.timelineSvg);
    }
    std::ostringstream out;
    root->stringify(out);
    return out.str();
}

}  // namespace confcap::status

#include "confcap/status/Summary.h"

#include "confcap/core/FileIo.h"
#include "confcap/core/Format.h"
#include "confcap/core/Text.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/status/TextFormat.h"

namespace confcap::status {

namespace {

using std::chrono::seconds;

constexpr std::array kSummaryOutcomes{core::Outcome::Recorded,  core::Outcome::Discarded,
                                      core::Outcome::Failed,    core::Outcome::Skipped,
                                      core::Outcome::Cancelled, core::Outcome::Interrupted};

constexpr std::array kHookStates{run::HookState::Ok, run::HookState::Failed,
                                 run::HookState::TimedOut, run::HookState::Interrupted,
                                 run::HookState::Pending};

/// The seconds from `from` to `until`; 0 when `until` is earlier.
double secondsBetween(core::Instant from, core::Instant until) {
    return std::max(0.0, std::chrono::duration<double>(until - from).count());
}

std::string unfinishedReason(const JobSnapshot& job) {
    if (job.state == JobState::Waiting) {
        return "the run stopped before its window began";
    }
    if (job.file.empty()) {
        return "the run stopped during its window";
    }
    return "the run stopped during its window; the partial file is finished on the next start";
}

double coverageOf(const SummaryEntry& entry) {
    return entry.windowSeconds > 0
               ? std::clamp(entry.coveredSeconds / entry.windowSeconds, 0.0, 1.0)
               : 0.0;
}

std::string span(double s) {
    return core::formatSpan(seconds(std::lround(s)));
}

Poco::JSON::Object::Ptr orderedObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

Poco::JSON::Array::Ptr gapSpansJson(const SummaryEntry& entry) {
    Poco::JSON::Array::Ptr spans = new Poco::JSON::Array;
    for (const auto& gap : entry.gapSpans) {
        Poco::JSON::Object::Ptr g = orderedObject();
        g->set(
            "offset_seconds",
            std::round(std::chrono::duration<double>(gap.at - entry.from).count() * 1000) / 1000);
        g->set("seconds", static_cast<double>(gap.length.count()) / 1000);
        g->set("cause", sanitize(gap.cause));
        g->set("detail", sanitize(gap.detail));
        spans->add(g);
    }
    return spans;
}

// The hook, health and thumbnails of a talk, each only when there is one.
void setExtras(Poco::JSON::Object& t, const SummaryEntry& entry) {
    if (!entry.hook.empty()) {
        Poco::JSON::Object::Ptr hook = orderedObject();
        hook->set("state", entry.hook);
        hook->set("exit", sanitize(entry.hookExit));
        t.set("hook", hook);
    }
    if (entry.health) {
        t.set("health", health::toJson(*entry.health));
        Poco::JSON::Array::Ptr flags = new Poco::JSON::Array;
        for (const auto& flag : entry.healthFlags) {
            flags->add(flag);
        }
        t.set("health_flags", flags);
    }
    if (!entry.middleThumbnail.empty()) {
        Poco::JSON::Object::Ptr thumbnails = orderedObject();
        thumbnails->set("middle", entry.middleThumbnail);
        thumbnails->set("strip", entry.stripThumbnail);
        t.set("thumbnails", thumbnails);
    }
}

Poco::JSON::Object::Ptr entryJson(const SummaryEntry& entry) {
    Poco::JSON::Object::Ptr t = orderedObject();
    t->set("key", sanitize(entry.key));
    t->set("room", sanitize(entry.room));
    t->set("title", sanitize(entry.title));
    t->set("talk", sanitize(entry.talk));
    t->set("start", core::formatUtc(entry.talkStart));
    t->set("end", core::formatUtc(entry.talkEnd));
    t->set("from", core::formatUtc(entry.from));
    t->set("until", core::formatUtc(entry.until));
    t->set("outcome", std::string(toString(entry.outcome)));
    t->set("reason", sanitize(entry.reason));
    t->set("file", core::toValidUtf8(entry.file));
    t->set("bytes", static_cast<Poco::UInt64>(entry.bytes));
    t->set("scheduled_seconds", entry.scheduledSeconds);
    t->set("window_seconds", entry.windowSeconds);
    t->set("covered_seconds", finiteOrZero(entry.coveredSeconds));
    t->set("coverage", coverageOf(entry));
    t->set("gap_seconds", finiteOrZero(entry.gapSeconds));
    t->set("gaps", entry.gaps);
    t->set("gap_spans", gapSpansJson(entry));
    if (entry.diskFullSeconds > 0) {
        t->set("disk_full_seconds", finiteOrZero(entry.diskFullSeconds));
    }
    t->set("reconnects", entry.reconnects);
    setExtras(*t, entry);
    return t;
}

}  // namespace

Summary Summary::fromJobs(const std::vector<JobSnapshot>& jobs, core::Instant finishedAt) {
    Summary summary;
    summary.finishedAt_ = finishedAt;
    for (const auto& job : jobs) {
        SummaryEntry entry;
        entry.key = job.key;
        entry.room = job.room;
        entry.title = job.title;
        entry.talk = job.mark.talk.empty() ? job.title : job.mark.talk;
        entry.talkStart = job.talkStart;
        entry.talkEnd = job.talkEnd;
        entry.from = job.from;
        entry.until = job.until;
        entry.outcome = run::outcomeOf(job.state);
        entry.reason = isFinal(job.state) ? job.reason : unfinishedReason(job);
        entry.file = job.file;
        entry.bytes = job.bytes;
        entry.scheduledSeconds = secondsBetween(job.talkStart, job.talkEnd);
        entry.windowSeconds = secondsBetween(job.from, job.until);
        entry.coveredSeconds = job.coveredSeconds;
        entry.gapSeconds = job.gapSeconds;
        entry.diskFullSeconds = job.diskFullSeconds;
        entry.gaps = job.gaps;
        entry.gapSpans = job.gapSpans;
        entry.reconnects = job.reconnects;
        entry.health = job.health.content;
        entry.healthFlags = job.health.flags;
        entry.middleThumbnail = job.health.middleThumbnail;
        entry.stripThumbnail = job.health.stripThumbnail;
        summary.entries_.push_back(std::move(entry));
    }
    return summary;
}

Summary Summary::fromJobs(const std::vector<JobSnapshot>& jobs) {
    return fromJobs(jobs, std::chrono::floor<seconds>(std::chrono::system_clock::now()));
}

std::filesystem::path Summary::defaultPath(const std::filesystem::path& outputDir) {
    return outputDir / ".confcap" / "summary.json";
}

std::size_t Summary::count(core::Outcome outcome) const noexcept {
    return static_cast<std::size_t>(
        std::count_if(entries_.begin(), entries_.end(),
                      [&](const auto& entry) { return entry.outcome == outcome; }));
}

void Summary::addHooks(const std::vector<run::HookRecord>& hooks) {
    for (const auto& hook : hooks) {
        hooks_.push_back(hook.state);
        for (auto& entry : entries_) {
            if (entry.key == hook.key) {
                entry.hook = toString(hook.state);
                entry.hookExit = hook.exit;
            }
        }
    }
}

std::size_t Summary::hookCount(run::HookState state) const noexcept {
    return static_cast<std::size_t>(std::count(hooks_.begin(), hooks_.end(), state));
}

void Summary::print(std::ostream& out) const {
    std::string headline;
    std::uint64_t bytes = 0;
    for (const auto& entry : entries_) {
        bytes += entry.bytes;
    }
    for (const auto outcome : kSummaryOutcomes) {
        if (const auto n = count(outcome); n > 0) {
            headline +=
                (headline.empty() ? "" : ", ") + std::to_string(n) + " " + toString(outcome);
        }
    }
    out << "Summary: "
        << (entries_.empty() ? std::string("no talks")
                             : headline + " (" + std::to_string(entries_.size()) +
                                   (entries_.size() == 1 ? " talk, " : " talks, ") +
                                   core::formatBytes(bytes) + ")")
        << "\n";
    if (!hooks_.empty()) {
        std::string hooks;
        for (const auto state : kHookStates) {
            if (const auto n = hookCount(state); n > 0) {
                hooks += (hooks.empty() ? "" : ", ") + std::to_string(n) + " " + toString(state);
            }
        }
        out << "Hooks: " << hooks << "\n";
    }
    if (entries_.empty()) {
        return;
    }
    std::size_t roomWidth = 4, talkWidth = 4;
    for (const auto& entry : entries_) {
        roomWidth = std::max(roomWidth, displayWidth(sanitize(entry.room)));
        talkWidth = std::max(talkWidth, displayWidth(sanitize(entry.talk)));
    }
    roomWidth = std::min<std::size_t>(roomWidth, 16);
    talkWidth = std::min<std::size_t>(talkWidth, 40);
    const auto line = [&](std::string_view outcome, std::string_view room, std::string_view talk,
                          std::string_view covered, std::string_view gaps, std::string_view last) {
        auto text = fit(outcome, 9) + "  " + fit(room, roomWidth) + "  " + fit(talk, talkWidth) +
                    "  " + fit(covered, 15) + "  " + fit(gaps, 9) + "  " + std::string(last);
        text.erase(text.find_last_not_of(' ') + 1);
        out << text << "\n";
    };
    line("OUTCOME", "ROOM", "TALK", "COVERED", "GAPS", "FILE / REASON");
    for (const auto& entry : entries_) {
        const auto covered = span(entry.coveredSeconds) + "/" + span(entry.windowSeconds) + " " +
                             percentText(coverageOf(entry));
        const auto gaps = entry.gaps == 0
                              ? std::string("0")
                              : std::to_string(entry.gaps) + " (" + span(entry.gapSeconds) + ")";
        std::string last = sanitize(entry.file);
        if (!entry.reason.empty()) {
            last += (last.empty() ? "" : " - ") + sanitize(entry.reason);
        }
        if (!entry.hook.empty() && entry.hook != toString(run::HookState::Ok)) {
            last += (last.empty() ? "" : " - ") + std::string("hook ") + entry.hook +
                    (entry.hookExit.empty() ? "" : ": " + sanitize(entry.hookExit));
        }
        for (const auto& flag : entry.healthFlags) {
            last += (last.empty() ? "" : " - ") + flag;
        }
        line(toString(entry.outcome), sanitize(entry.room), sanitize(entry.talk), covered, gaps,
             last);
    }
}

std::string Summary::toJson() const {
    Poco::JSON::Object::Ptr counts = orderedObject();
    for (const auto outcome : kSummaryOutcomes) {
        counts->set(toString(outcome), static_cast<Poco::UInt64>(count(outcome)));
    }
    Poco::JSON::Array::Ptr talks = new Poco::JSON::Array;
    std::uint64_t bytes = 0;
    for (const auto& entry : entries_) {
        bytes += entry.bytes;
        talks->add(entryJson(entry));
    }
    Poco::JSON::Object::Ptr root = orderedObject();
    root->set("version", 1);
    root->set("finished", core::formatUtc(finishedAt_));
    root->set("zone", zone_.empty() ? std::string("UTC") : zone_);
    root->set("total_bytes", static_cast<Poco::UInt64>(bytes));
    root->set("counts", counts);
    root->set("talks", talks);
    if (!hooks_.empty()) {
        Poco::JSON::Object::Ptr hooks = orderedObject();
        for (const auto state : kHookStates) {
            hooks->set(toString(state), static_cast<Poco::UInt64>(hookCount(state)));
        }
        root->set("hooks", hooks);
    }
    std::ostringstream out;
    root->stringify(out, 2);
    out << "\n";
    return out.str();
}

void Summary::writeJson(const std::filesystem::path& path) const {
    const auto json = toJson();
    std::error_code error;
    if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path(), error);
    }
    if (error || !core::replaceFile(path, json)) {
        const auto reason = error ? error.message() : std::string(std::strerror(errno));
        throw core::OutputError("Cannot write the run summary " + path.string() + " (" + reason +
                                "); check that the folder is writable.");
    }
}

}  // namespace confcap::status

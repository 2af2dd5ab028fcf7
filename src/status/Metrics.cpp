#include "confcap/status/Metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <functional>

#include "confcap/core/Text.h"
#include "confcap/status/StatusJson.h"
#include "confcap/status/TextFormat.h"

namespace confcap::status {

namespace {

using TimePoint = std::chrono::system_clock::time_point;

/// A sample value: integers as integers, the rest in the shortest form that reads back the same.
std::string number(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    std::array<char, 64> buffer{};
    const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    if (error != std::errc()) {
        return "NaN";
    }
    return std::string(buffer.data(), end);
}

std::string number(std::uint64_t value) {
    return std::to_string(value);
}

/// Seconds to the millisecond, so that they print as they would be written.
double secondsOf(std::chrono::system_clock::duration d) {
    return static_cast<double>(std::chrono::floor<std::chrono::milliseconds>(d).count()) / 1000.0;
}

double secondsBetween(TimePoint earlier, TimePoint later) {
    return std::max(0.0, secondsOf(later - earlier));
}

double unixSeconds(TimePoint t) {
    return secondsOf(t.time_since_epoch());
}

using Labels = std::vector<std::pair<std::string_view, std::string>>;

/// Writes families: the HELP and TYPE lines once, then each sample.
class Exposition {
public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        text_ += "# HELP ";
        text_ += name;
        text_ += ' ';
        text_ += help;
        text_ += "\n# TYPE ";
        text_ += name;
        text_ += ' ';
        text_ += type;
        text_ += '\n';
    }

    void sample(std::string_view name, const Labels& labels, const std::string& value) {
        text_ += name;
        if (!labels.empty()) {
            text_ += '{';
            bool first = true;
            for (const auto& [label, labelValue] : labels) {
                if (!first) {
                    text_ += ',';
                }
                first = false;
                text_ += label;
                text_ += "=\"";
                text_ += escapeLabelValue(labelValue);
                text_ += '"';
            }
            text_ += '}';
        }
        text_ += ' ';
        text_ += value;
        text_ += '\n';
    }

    std::string take() { return std::move(text_); }

private:
    std::string text_;
};

Labels talkLabels(const JobSnapshot& job) {
    return {{"room", job.room}, {"talk", job.title}, {"id", job.key}};
}

/// Inside its window, and not finished on purpose (see confcap_room_in_window).
bool inWindow(const JobSnapshot& job, TimePoint now) {
    if (isFinal(job.state) && job.state != JobState::Failed) {
        return false;
    }
    return job.from <= now && now < job.until;
}

/// What the metrics say of one room.
struct RoomView {
    bool inWindow = false;
    std::optional<TimePoint> windowStart;  ///< the earliest start of the windows it is in
    std::optional<TimePoint> lastData;
};

constexpr std::array kMetricOutcomes = {core::Outcome::Recorded,  core::Outcome::Discarded,
                                        core::Outcome::Failed,    core::Outcome::Skipped,
                                        core::Outcome::Cancelled, core::Outcome::Interrupted};

}  // namespace

std::string escapeLabelValue(std::string_view value) {
    const auto valid = core::toValidUtf8(value);
    std::string out;
    out.reserve(valid.size());
    for (const char c : valid) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

namespace {

using TalkValue = std::function<std::optional<std::string>(const JobSnapshot&)>;
using PerTalk = std::function<void(std::string_view name, std::string_view type,
                                   std::string_view help, const TalkValue& value)>;

/// The families of the talks' content health, once a talk's file was checked.
void addHealthFamilies(const PerTalk& perTalk) {
    const auto troubleSeconds = [](health::Trouble health::ContentHealth::*trouble, bool video) {
        return [trouble, video](const JobSnapshot& job) -> std::optional<std::string> {
            const auto& content = job.health.content;
            if (!content || !(video ? content->hasVideo : content->hasAudio)) {
                return std::nullopt;
            }
            return number((*content.*trouble).seconds);
        };
    };
    perTalk("confcap_talk_silent_seconds", "gauge",
            "Seconds of the talk's file that are silent; absent before its check or without audio.",
            troubleSeconds(&health::ContentHealth::silence, false));
    perTalk("confcap_talk_black_seconds", "gauge",
            "Seconds of the talk's file with a black picture; absent before its check or without "
            "video.",
            troubleSeconds(&health::ContentHealth::black, true));
    perTalk("confcap_talk_frozen_seconds", "gauge",
            "Seconds of the talk's file with a frozen picture; absent before its check or without "
            "video.",
            troubleSeconds(&health::ContentHealth::frozen, true));
    perTalk("confcap_talk_loudness_lufs", "gauge",
            "Integrated loudness of the talk's file (EBU R 128, LUFS); absent before its check or "
            "without audio.",
            [](const JobSnapshot& job) -> std::optional<std::string> {
                if (!job.health.content || !job.health.content->loudnessLufs) {
                    return std::nullopt;
                }
                return number(*job.health.content->loudnessLufs);
            });
}

/// confcap_talk_state and the families with one sample per talk.
void addTalkFamilies(Exposition& out, const std::vector<JobSnapshot>& jobs, TimePoint now) {
    out.family("confcap_talk_state", "gauge",
               "The state of each talk of the run (1 for the state it is in now).");
    for (const auto& job : jobs) {
        auto labels = talkLabels(job);
        labels.emplace_back("state", stateName(job.state));
        out.sample("confcap_talk_state", labels, "1");
    }
    const auto perTalk = [&](std::string_view name, std::string_view type, std::string_view help,
                             const TalkValue& value) {
        out.family(name, type, help);
        for (const auto& job : jobs) {
            if (const auto v = value(job)) {
                out.sample(name, talkLabels(job), *v);
            }
        }
    };
    perTalk("confcap_talk_bytes", "gauge", "Bytes written to the talk's file.",
            [](const JobSnapshot& job) { return number(job.bytes); });
    perTalk("confcap_talk_covered_seconds", "gauge",
            "Seconds of the talk's window that its file has media for.",
            [](const JobSnapshot& job) { return number(job.coveredSeconds); });
    perTalk("confcap_talk_gap_seconds", "gauge",
            "Seconds of the talk's window lost to gaps (outages, a stream not live yet, ...).",
            [](const JobSnapshot& job) { return number(job.gapSeconds); });
    perTalk("confcap_talk_disk_full_seconds", "gauge",
            "Seconds the output folder's disk was full while the talk recorded.",
            [](const JobSnapshot& job) { return number(job.diskFullSeconds); });
    perTalk("confcap_talk_reconnects_total", "counter",
            "Reconnects to the room's stream while the talk recorded.",
            [](const JobSnapshot& job) { return std::to_string(job.reconnects); });
    addHealthFamilies(perTalk);
    perTalk("confcap_talk_seconds_since_last_byte", "gauge",
            "Seconds since the talk's file last received bytes; absent before the first.",
            [&](const JobSnapshot& job) -> std::optional<std::string> {
                if (!job.lastData) {
                    return std::nullopt;
                }
                return number(secondsBetween(*job.lastData, now));
            });
}

/// The families with one sample per room.
void addRoomFamilies(Exposition& out, const std::vector<JobSnapshot>& jobs, TimePoint now) {
    std::map<std::string, RoomView> rooms;
    for (const auto& job : jobs) {
        auto& room = rooms[job.room];
        if (job.lastData && (!room.lastData || *room.lastData < *job.lastData)) {
            room.lastData = job.lastData;
        }
        if (inWindow(job, now)) {
            room.inWindow = true;
            const TimePoint from = job.from;
            if (!room.windowStart || from < *room.windowStart) {
                room.windowStart = from;
            }
        }
    }
    out.family("confcap_room_in_window", "gauge",
               "1 while a talk of the room is inside its recording window (padding included) and "
               "has not ended with a file, been skipped or cancelled; else 0.");
    for (const auto& [name, room] : rooms) {
        out.sample("confcap_room_in_window", {{"room", name}}, room.inWindow ? "1" : "0");
    }
    out.family("confcap_room_seconds_since_last_byte", "gauge",
               "Seconds since the room's stream last delivered bytes to a talk; inside a window "
               "counted from no earlier than the window's start.");
    for (const auto& [name, room] : rooms) {
        std::optional<TimePoint> since = room.lastData;
        if (room.inWindow && (!since || *since < *room.windowStart)) {
            since = room.windowStart;
        }
        if (since) {
            out.sample("confcap_room_seconds_since_last_byte", {{"room", name}},
                       number(secondsBetween(*since, now)));
        }
    }
}

/// confcap_talks_finished: how many talks reached each outcome.
void addOutcomeFamily(Exposition& out, const std::vector<JobSnapshot>& jobs) {
    std::map<core::Outcome, std::uint64_t> outcomes;
    for (const auto& job : jobs) {
        if (const auto outcome = job.state.outcome()) {
            ++outcomes[*outcome];
        }
    }
    out.family("confcap_talks_finished", "gauge", "Talks of the run that reached an outcome.");
    for (const auto outcome : kMetricOutcomes) {
        out.sample("confcap_talks_finished", {{"outcome", core::toString(outcome)}},
                   number(outcomes[outcome]));
    }
}

/// The schedule refresh families; none when the run does not refresh.
void addRefreshFamilies(Exposition& out, const RunCounters& run) {
    if (!run.refreshes) {
        return;
    }
    const auto& r = *run.refreshes;
    out.family("confcap_schedule_refreshes_total", "counter",
               "Schedule refreshes tried (every --refresh and on SIGHUP).");
    out.sample("confcap_schedule_refreshes_total", {}, number(r.refreshes));
    out.family("confcap_schedule_refresh_failures_total", "counter",
               "Schedule refreshes that failed, or had only the cached copy.");
    out.sample("confcap_schedule_refresh_failures_total", {}, number(r.failures));
    out.family("confcap_schedule_last_refresh_timestamp_seconds", "gauge",
               "When the schedule was last read fresh (Unix time); the start counts.");
    out.sample("confcap_schedule_last_refresh_timestamp_seconds", {},
               number(unixSeconds(r.lastSuccess)));
    out.family("confcap_schedule_refresh_interval_seconds", "gauge",
               "How often the schedule is re-read (--refresh); 0 when only on SIGHUP.");
    out.sample("confcap_schedule_refresh_interval_seconds", {},
               number(static_cast<std::uint64_t>(std::max<std::int64_t>(
                   0, static_cast<std::int64_t>(run.refreshPeriod.count())))));
}

/// The disk families; none before the disk guard first looked.
void addDiskFamilies(Exposition& out, const RunCounters& run) {
    if (!run.disk) {
        return;
    }
    out.family("confcap_disk_free_bytes", "gauge",
               "Bytes free on the output folder's file system when last looked at.");
    out.sample("confcap_disk_free_bytes", {}, number(run.disk->freeBytes));
    out.family("confcap_disk_needed_bytes", "gauge",
               "Bytes the rest of the plan is forecast to write (each room at its measured "
               "rate, else its announced or an assumed one).");
    out.sample("confcap_disk_needed_bytes", {}, number(run.disk->neededBytes));
    out.family("confcap_disk_min_free_bytes", "gauge",
               "The reserve (--min-free): below it a talk whose window opens waits.");
    out.sample("confcap_disk_min_free_bytes", {}, number(run.disk->reserveBytes));
}

/// Each room's tape: its size, and whether it is being written.
void addTapeFamilies(Exposition& out, const RunCounters& run) {
    out.family("confcap_tape_bytes", "gauge",
               "Bytes on disk only the room's tape (its stream kept for confcap recut) holds; it "
               "shares the rest with the talks' files.");
    for (const auto& tape : run.tapes) {
        out.sample("confcap_tape_bytes", {{"room", tape.room}}, number(tape.bytes));
    }
    out.family("confcap_tape_writing", "gauge",
               "1 while the room's tape is written; 0 once it stopped (after the room's last "
               "talk and its bridge, or because it could not be written).");
    for (const auto& tape : run.tapes) {
        out.sample("confcap_tape_writing", {{"room", tape.room}},
                   number(static_cast<std::uint64_t>(tape.writing ? 1 : 0)));
    }
}

}  // namespace

std::string metricsText(const std::vector<JobSnapshot>& jobs, const RunCounters& run,
                        TimePoint now) {
    Exposition out;
    addTalkFamilies(out, jobs, now);
    addRoomFamilies(out, jobs, now);
    addOutcomeFamily(out, jobs);
    addRefreshFamilies(out, run);
    addDiskFamilies(out, run);
    addTapeFamilies(out, run);
    out.family("confcap_hooks_total", "counter", "Hooks run for finished talks, by result.");
    for (const auto& [result, count] : run.hooks) {
        out.sample("confcap_hooks_total", {{"result", result}}, number(count));
    }
    return out.take();
}

}  // namespace confcap::status

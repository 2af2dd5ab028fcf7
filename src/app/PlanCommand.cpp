#include "confcap/app/PlanCommand.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <date/tz.h>

#include "confcap/app/ExitCode.h"
#include "confcap/app/ListCommand.h"
#include "confcap/app/RunOptions.h"
#include "confcap/app/ScheduleLoader.h"
#include "confcap/status/TextFormat.h"

namespace confcap::app {

plan::Plan makePlanFor(const schedule::Schedule& schedule, const Arguments& arguments,
                       const std::optional<ConferenceChoice>& conference, bool requireTalks) {
    auto rules = selectionRules(arguments);
    rules.respectOptout = !arguments.flag("include-optout");
    select::Selector selector(std::move(rules));
    if (requireTalks) {
        requireSelectedTalks(selector, schedule, selector.selectedTalks(schedule));
    }
    auto streams = streamMap(arguments);
    addConferenceStreams(streams, conference, schedule);
    return plan::makePlan(schedule, selector, streams, planOptions(arguments));
}

void printPlanJson(const plan::Plan& plan, const std::optional<source::RecorderCommand>& recorder,
                   std::ostream& out, const std::vector<RoomStreamCheck>* checks) {
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
    root.stringify(out, 2);
    out << "\n";
}

void printPlanTable(const schedule::Schedule& schedule, const plan::Plan& plan,
                    const std::optional<source::RecorderCommand>& recorder, const std::string& zone,
                    const std::string& outDir, std::ostream& out) {
    const date::time_zone* tz = zone.empty() ? nullptr : date::locate_zone(zone);
    const auto local = [&](core::Instant t) {
        return tz != nullptr ? tz->to_local(t) : date::local_seconds(t.time_since_epoch());
    };
    const auto& conf = schedule.conference;
    out << (conf.title.empty() ? "Schedule" : conf.title) << ": " << plan.jobs.size()
        << (plan.jobs.size() == 1 ? " talk" : " talks") << " to record into " << outDir
        << ", times in " << (tz != nullptr ? zone : std::string("UTC")) << "\n";
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

int runPlan(const Arguments& given, std::ostream& out, std::ostream& err) {
    // What record would refuse at start, plan reports too.
    const auto recorder = checkRecorder(given);
    const auto conference = resolveConference(given, err);
    const auto arguments = withConference(given, conference);
    const auto schedule = loadSchedule(arguments, err);
    const auto plan = makePlanFor(schedule, arguments, conference, true);
    reportConferenceRooms(conference, schedule, err);
    std::optional<std::vector<RoomStreamCheck>> checks;
    if (arguments.flag("check-streams")) {
        checks = checkRoomStreams(
            plan, {arguments.value("ca-file").value_or(""), std::chrono::seconds(10)});
    }
    if (arguments.flag("json")) {
        printPlanJson(plan, recorder, out, checks ? &*checks : nullptr);
    } else {
        const auto zone = arguments.flag("utc") ? std::string() : schedule.conference.timeZone;
        printPlanTable(schedule, plan, recorder, zone, outputFolder(arguments).string(), out);
        if (checks) {
            printStreamChecks(*checks, out);
        }
    }
    return kExitOk;
}

}  // namespace confcap::app

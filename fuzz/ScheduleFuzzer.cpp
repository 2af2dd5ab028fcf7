// Schedule bytes (frab/pretalx/Pentabarf XML or frab/schedule2 JSON) through the parser (from a
// copy and in place, which must agree, errors included), the selection with regexes, `list --json`
// and the plan: nothing may crash, the JSON must be valid UTF-8 that parses again, every file name
// stays inside the output folder and every room field in a stream URL is encoded.
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "FuzzCheck.h"
#include "confcap/app/ListCommand.h"
#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/plan/Plan.h"
#include "confcap/schedule/ScheduleParser.h"
#include "confcap/select/Selector.h"

using namespace confcap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    schedule::ParseOptions options;
    options.source = "fuzz.xml";
    options.timeZone = "Europe/Berlin";
    schedule::Schedule parsed;
    std::string error;
    try {
        parsed = schedule::parseSchedule(bytes, options);
    } catch (const core::ScheduleError& e) {
        error = e.what();
    }
    schedule::Schedule inPlace;
    std::string inPlaceError;
    try {
        inPlace = schedule::parseScheduleInPlace(std::string(bytes), options);
    } catch (const core::ScheduleError& e) {
        inPlaceError = e.what();
    }
    fuzz::check(inPlaceError == error,
                "parsed in place, the bytes fail otherwise: " + inPlaceError + " | " + error);
    if (!error.empty()) {
        return 0;
    }
    fuzz::check(inPlace.talks.size() == parsed.talks.size() && inPlace.warnings == parsed.warnings,
                "parsed in place, the bytes give another schedule");

    static const select::Selector selector({.match = {"a.*b", "(x|y)+z"}, .exclude = {".*cancel"}});
    std::vector<const schedule::Talk*> talks;
    for (const auto& talk : parsed.talks) {
        selector.decide(talk);
        talks.push_back(&talk);
    }

    std::ostringstream json;
    app::printTalksJson(parsed, talks, json);
    fuzz::check(core::toValidUtf8(json.str()) == json.str(), "list --json is not valid UTF-8");
    try {
        Poco::JSON::Parser().parse(json.str());
    } catch (const Poco::Exception& e) {
        fuzz::check(false, "list --json does not parse: " + e.displayText());
    }

    plan::StreamMap streams;
    streams.streamTemplate = "https://cdn.example/{room_slug}/{room_guid}/{room}.m3u8";
    for (const bool windowsSafe : {false, true}) {
        plan::PlanOptions planOptions;
        planOptions.windowsSafeNames = windowsSafe;
        const auto plan = plan::makePlan(parsed, select::Selector({}), streams, planOptions);
        for (const auto& job : plan.jobs) {
            fuzz::check(job.fileStem.is_relative(), "a file name is absolute");
            for (const auto& component : job.fileStem) {
                const auto text = component.string();
                fuzz::check(!text.empty() && text != "." && text != "..",
                            "a file name has an empty, . or .. component");
                fuzz::check(fuzz::isCleanUtf8(text), "a file name has a control character");
            }
            constexpr std::string_view kBase = "https://cdn.example/";
            const std::string_view rest = std::string_view(job.stream).substr(kBase.size());
            fuzz::check(job.stream.starts_with(kBase) &&
                            std::count(rest.begin(), rest.end(), '/') == 2 &&
                            rest.find_first_of("?#") == std::string_view::npos,
                        "a room field in the stream URL is not encoded: " + job.stream);
        }
    }
    return 0;
}

// Reading back the summary.json that Summary::toJson wrote.
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/status/Summary.h"
#include "confcap/status/TextFormat.h"

namespace confcap::status {

namespace {

using Object = Poco::JSON::Object::Ptr;

std::string textOf(const Object& object, const std::string& name) {
    return object->has(name) && !object->isNull(name) ? object->getValue<std::string>(name) : "";
}

double numberOf(const Object& object, const std::string& name) {
    try {
        return finiteOrZero(
            object->has(name) && !object->isNull(name) ? object->getValue<double>(name) : 0.0);
    } catch (const Poco::Exception&) {
        return 0.0;
    }
}

core::Instant instantOf(const Object& object, const std::string& name) {
    return core::parseIsoInstant(textOf(object, name)).value_or(core::Instant{});
}

std::vector<core::Gap> gapSpansOf(const Object& talk, core::Instant from) {
    std::vector<core::Gap> gaps;
    const auto spans = talk->getArray("gap_spans");
    for (std::size_t i = 0; spans && i < spans->size(); ++i) {
        const auto span = spans->getObject(static_cast<unsigned>(i));
        if (span.isNull()) {
            continue;
        }
        core::Gap gap;
        gap.at = from + std::chrono::round<std::chrono::milliseconds>(
                            std::chrono::duration<double>(numberOf(span, "offset_seconds")));
        gap.length = std::chrono::milliseconds(std::llround(numberOf(span, "seconds") * 1000));
        gap.cause = textOf(span, "cause");
        gap.detail = textOf(span, "detail");
        gaps.push_back(std::move(gap));
    }
    return gaps;
}

/// The hook, health and thumbnails toJson() writes only when a talk has them.
void readExtras(const Object& talk, SummaryEntry& entry) {
    if (const auto hook = talk->getObject("hook")) {
        entry.hook = textOf(hook, "state");
        entry.hookExit = textOf(hook, "exit");
    }
    if (const auto health = talk->getObject("health")) {
        entry.health = health::healthFromJson(health);
    }
    const auto flags = talk->getArray("health_flags");
    for (std::size_t i = 0; flags && i < flags->size(); ++i) {
        entry.healthFlags.push_back(flags->getElement<std::string>(static_cast<unsigned>(i)));
    }
    if (const auto thumbnails = talk->getObject("thumbnails")) {
        entry.middleThumbnail = textOf(thumbnails, "middle");
        entry.stripThumbnail = textOf(thumbnails, "strip");
    }
}

std::optional<SummaryEntry> entryOf(const Object& talk) {
    const auto outcome = core::outcomeNamed(textOf(talk, "outcome"));
    if (textOf(talk, "key").empty() || !outcome) {
        return std::nullopt;
    }
    SummaryEntry entry;
    entry.key = textOf(talk, "key");
    entry.room = textOf(talk, "room");
    entry.title = textOf(talk, "title");
    entry.talk = textOf(talk, "talk");
    entry.talkStart = instantOf(talk, "start");
    entry.talkEnd = instantOf(talk, "end");
    entry.from = instantOf(talk, "from");
    entry.until = instantOf(talk, "until");
    entry.outcome = *outcome;
    entry.reason = textOf(talk, "reason");
    entry.file = textOf(talk, "file");
    entry.bytes = static_cast<std::uint64_t>(std::max(0.0, numberOf(talk, "bytes")));
    entry.scheduledSeconds = numberOf(talk, "scheduled_seconds");
    entry.windowSeconds = numberOf(talk, "window_seconds");
    entry.coveredSeconds = numberOf(talk, "covered_seconds");
    entry.gapSeconds = numberOf(talk, "gap_seconds");
    entry.diskFullSeconds = numberOf(talk, "disk_full_seconds");
    entry.gaps = static_cast<int>(numberOf(talk, "gaps"));
    entry.gapSpans = gapSpansOf(talk, entry.from);
    entry.reconnects = static_cast<int>(numberOf(talk, "reconnects"));
    readExtras(talk, entry);
    return entry;
}

}  // namespace

Summary Summary::fromJson(const std::string& json) {
    Object root;
    try {
        const auto parsed = Poco::JSON::Parser().parse(json);
        if (parsed.type() == typeid(Object)) {
            root = parsed.extract<Object>();
        }
    } catch (const Poco::Exception& error) {
        throw core::InputError("The run summary is not JSON: " + error.displayText() + ".");
    }
    if (root.isNull() || !root->isArray("talks")) {
        throw core::InputError("The run summary has no list of talks.");
    }
    Summary summary;
    summary.finishedAt_ = instantOf(root, "finished");
    summary.zone_ = textOf(root, "zone");
    const auto talks = root->getArray("talks");
    for (std::size_t i = 0; i < talks->size(); ++i) {
        const auto talk = talks->getObject(static_cast<unsigned>(i));
        if (auto entry = talk.isNull() ? std::nullopt : entryOf(talk)) {
            summary.entries_.push_back(std::move(*entry));
        }
    }
    if (const auto hooks = root->getObject("hooks")) {
        for (const auto& name : hooks->getNames()) {
            const auto state = run::hookStateNamed(name);
            for (long n = 0; state && n < std::lround(numberOf(hooks, name)); ++n) {
                summary.hooks_.push_back(*state);
            }
        }
    }
    return summary;
}

std::optional<Summary> Summary::readJson(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return fromJson(text.str());
    } catch (const core::InputError&) {
        return std::nullopt;
    }
}

}  // namespace confcap::status

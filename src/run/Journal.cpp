#include "confcap/run/Journal.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"

namespace confcap::run {

namespace {

std::optional<JobState> stateNamed(const std::string& name) {
    for (const auto outcome :
         {core::Outcome::Recorded, core::Outcome::Discarded, core::Outcome::Failed,
          core::Outcome::Cancelled, core::Outcome::Interrupted}) {
        const auto state = stateOf(outcome);
        if (name == toString(state)) {
            return state;
        }
    }
    return std::nullopt;
}

Poco::JSON::Object::Ptr hookJson(const HookRecord& hook) {
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    object->set("state", std::string(toString(hook.state)));
    Poco::JSON::Array::Ptr command = new Poco::JSON::Array;
    for (const auto& argument : hook.command) {
        command->add(argument);
    }
    object->set("command", command);
    object->set("exit", hook.exit);
    object->set("seconds", hook.seconds);
    object->set("finished", hook.finished);
    Poco::JSON::Object::Ptr mark = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    mark->set("room", hook.mark.room);
    mark->set("talk", hook.mark.talk);
    object->set("mark", mark);
    Poco::JSON::Object::Ptr values = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    values->set("file", hook.values.file);
    values->set("sidecar", hook.values.sidecar);
    values->set("title", hook.values.title);
    values->set("room", hook.values.room);
    values->set("start", hook.values.start);
    values->set("outcome", hook.values.outcome);
    object->set("values", values);
    return object;
}

std::optional<HookRecord> hookFrom(const std::string& key, const Poco::JSON::Object& object) {
    const auto state = hookStateNamed(object.optValue<std::string>("state", ""));
    if (!state) {
        return std::nullopt;
    }
    HookRecord hook;
    hook.key = key;
    hook.state = *state;
    if (const auto command = object.getArray("command")) {
        for (std::size_t i = 0; i < command->size(); ++i) {
            hook.command.push_back(command->getElement<std::string>(static_cast<unsigned>(i)));
        }
    }
    hook.exit = object.optValue<std::string>("exit", "");
    hook.seconds = object.optValue<double>("seconds", 0.0);
    hook.finished = object.optValue<std::string>("finished", "");
    if (const auto mark = object.getObject("mark")) {
        hook.mark = {mark->optValue<std::string>("room", ""),
                     mark->optValue<std::string>("talk", "")};
    }
    if (const auto values = object.getObject("values")) {
        hook.values = {values->optValue<std::string>("file", ""),
                       values->optValue<std::string>("sidecar", ""),
                       values->optValue<std::string>("title", ""),
                       values->optValue<std::string>("room", ""),
                       values->optValue<std::string>("start", ""),
                       values->optValue<std::string>("outcome", "")};
    }
    return hook;
}

Journal::Entry entryFrom(JobState state, const Poco::JSON::Object& job) {
    Journal::Entry entry{state,
                         job.optValue<std::string>("file", ""),
                         job.optValue<std::string>("reason", ""),
                         {},
                         {}};
    const auto continuation = job.getObject("continuation");
    const auto published = job.getArray("published");
    if (!continuation || !published) {
        return entry;
    }
    std::ostringstream text;
    continuation->stringify(text, 2);
    entry.continuation = text.str();
    for (std::size_t i = 0; i < published->size(); ++i) {
        const auto file = published->getObject(static_cast<unsigned>(i));
        if (file) {
            entry.published.push_back({file->optValue<std::string>("file", ""),
                                       file->optValue<std::uint64_t>("size", 0),
                                       file->optValue<std::string>("hash", ""),
                                       file->optValue<std::int64_t>("modifiedNs", 0)});
        }
    }
    return entry;
}

Poco::JSON::Object::Ptr entryJson(const Journal::Entry& e) {
    Poco::JSON::Object::Ptr job = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    job->set("state", std::string(toString(e.state)));
    job->set("file", e.file);
    job->set("reason", e.reason);
    if (!e.continuation.empty() && !e.published.empty()) {
        try {
            job->set("continuation",
                     Poco::JSON::Parser().parse(e.continuation).extract<Poco::JSON::Object::Ptr>());
            Poco::JSON::Array::Ptr published = new Poco::JSON::Array;
            for (const auto& file : e.published) {
                Poco::JSON::Object::Ptr f = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
                f->set("file", file.file);
                f->set("size", file.size);
                f->set("hash", file.hash);
                f->set("modifiedNs", file.modifiedNs);
                published->add(f);
            }
            job->set("published", published);
        } catch (const Poco::Exception&) {
            // A continuation that does not read back is left out: the file is then not continued.
        }
    }
    return job;
}

}  // namespace

Journal::Journal(std::filesystem::path path) : path_(std::move(path)) {
    std::ifstream in(path_);
    if (!in) {
        return;
    }
    try {
        const auto document = Poco::JSON::Parser().parse(in).extract<Poco::JSON::Object::Ptr>();
        if (const auto root = document->getObject("jobs")) {
            for (const auto& [key, value] : *root) {
                const auto job = value.extract<Poco::JSON::Object::Ptr>();
                if (const auto state = stateNamed(job->optValue<std::string>("state", ""))) {
                    entries_[key] = entryFrom(*state, *job);
                }
            }
        }
        if (const auto hooks = document->getObject("hooks")) {
            for (const auto& [key, value] : *hooks) {
                if (auto hook = hookFrom(key, *value.extract<Poco::JSON::Object::Ptr>())) {
                    hooks_[key] = std::move(*hook);
                }
            }
        }
    } catch (const std::exception&) {
        entries_.clear();  // a damaged journal is as good as none
        hooks_.clear();
    }
}

std::optional<Journal::Entry> Journal::find(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    return it == entries_.end() ? std::nullopt : std::optional<Entry>(it->second);
}

void Journal::record(const std::string& key, Entry entry) {
    std::lock_guard lock(mutex_);
    entries_[key] = std::move(entry);
    write();
}

void Journal::recordHook(const HookRecord& hook) {
    std::lock_guard lock(mutex_);
    hooks_[hook.key] = hook;
    write();
}

std::vector<HookRecord> Journal::hooks() const {
    std::lock_guard lock(mutex_);
    std::vector<HookRecord> hooks;
    for (const auto& [key, hook] : hooks_) {
        hooks.push_back(hook);
    }
    return hooks;
}

void Journal::write() {
    Poco::JSON::Object jobs;
    for (const auto& [k, e] : entries_) {
        jobs.set(k, entryJson(e));
    }
    Poco::JSON::Object root;
    root.set("jobs", jobs);
    if (!hooks_.empty()) {
        Poco::JSON::Object::Ptr hooks = new Poco::JSON::Object;
        for (const auto& [key, hook] : hooks_) {
            hooks->set(key, hookJson(hook));
        }
        root.set("hooks", hooks);
    }
    std::ostringstream text;
    root.stringify(text, 1);
    if (!core::replaceFile(path_, text.str())) {
        throw core::OutputError("Cannot write the journal " + path_.string() + ": " +
                                std::strerror(errno) + "; the earlier one is kept.");
    }
}

}  // namespace confcap::run

#include "confcap/run/Journal.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>

#include "confcap/core/Error.h"

namespace confcap::run {

namespace {

std::optional<JobState> stateNamed(const std::string& name) {
    for (const auto state :
         {JobState::Recorded, JobState::Discarded, JobState::Failed, JobState::Cancelled}) {
        if (name == toString(state)) {
            return state;
        }
    }
    return std::nullopt;
}

}  // namespace

Journal::Journal(std::filesystem::path path) : path_(std::move(path)) {
    std::ifstream in(path_);
    if (!in) {
        return;
    }
    try {
        const auto root =
            Poco::JSON::Parser().parse(in).extract<Poco::JSON::Object::Ptr>()->getObject("jobs");
        if (root.isNull()) {
            return;
        }
        for (const auto& [key, value] : *root) {
            const auto job = value.extract<Poco::JSON::Object::Ptr>();
            if (const auto state = stateNamed(job->optValue<std::string>("state", ""))) {
                entries_[key] = {*state, job->optValue<std::string>("file", ""),
                                 job->optValue<std::string>("reason", "")};
            }
        }
    } catch (const std::exception&) {
        entries_.clear();  // a damaged journal is as good as none
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
    Poco::JSON::Object jobs;
    for (const auto& [k, e] : entries_) {
        Poco::JSON::Object::Ptr job = new Poco::JSON::Object;
        job->set("state", std::string(toString(e.state)));
        job->set("file", e.file);
        job->set("reason", e.reason);
        jobs.set(k, job);
    }
    Poco::JSON::Object root;
    root.set("jobs", jobs);
    const auto temporary = path_.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        root.stringify(out, 1);
        if (!out.flush()) {
            throw core::OutputError("Cannot write the journal " + path_.string() + ".");
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, path_, error);
    if (error) {
        throw core::OutputError("Cannot write the journal " + path_.string() + ": " +
                                error.message() + ".");
    }
}

}  // namespace confcap::run

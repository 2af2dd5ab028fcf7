#include "confcap/app/FavouritesReport.h"

#include <Poco/JSON/Object.h>

#include <date/tz.h>

#include <map>
#include <set>

#include "confcap/core/Text.h"
#include "confcap/select/NearNames.h"
#include "confcap/status/TextFormat.h"

namespace confcap::app {

select::FavouriteMatches applyFavourites(select::SelectionRules& rules,
                                         const std::vector<select::FavouriteList>& favourites,
                                         const schedule::Schedule& schedule) {
    if (favourites.empty()) {
        return {};
    }
    auto matches = select::matchFavourites(favourites, schedule);
    rules.favourites = matches.talks;
    return matches;
}

void warnUnmatchedFavourites(const select::FavouriteMatches& matches, std::ostream& err) {
    for (const auto& sentence : matches.unmatched()) {
        err << "confcap: warning: " << status::sanitize(sentence) << "\n";
    }
}

std::vector<FavouriteOutcome> favouriteOutcomes(const select::FavouriteMatches& matches,
                                                const plan::Plan& plan,
                                                const select::Selector& selector) {
    std::map<std::string, const plan::Job*> jobs;
    for (const auto& job : plan.jobs) {
        jobs.emplace(select::talkIdentity(job.talk), &job);
    }
    std::map<std::string, const plan::Skipped*> skipped;
    for (const auto& s : plan.skipped) {
        skipped.emplace(select::talkIdentity(s.talk), &s);
    }
    std::vector<FavouriteOutcome> out;
    for (const auto& match : matches.entries) {
        FavouriteOutcome outcome{&match, nullptr, {}};
        if (match.talk == nullptr) {
            outcome.why = "no such talk in the schedule";
            if (!match.closestTitles.empty()) {
                outcome.why += "; closest: " + select::nameList(match.closestTitles, 3);
            }
        } else {
            const auto identity = select::talkIdentity(*match.talk);
            if (const auto job = jobs.find(identity); job != jobs.end()) {
                outcome.job = job->second;
            } else if (const auto s = skipped.find(identity); s != skipped.end()) {
                outcome.why = s->second->reason;
            } else {
                outcome.why = selector.decide(*match.talk).reason;
            }
        }
        out.push_back(std::move(outcome));
    }
    return out;
}

void printFavourites(const std::vector<FavouriteOutcome>& outcomes, const std::string& zone,
                     std::ostream& out) {
    const date::time_zone* tz = zone.empty() ? nullptr : date::locate_zone(zone);
    const auto local = [&](core::Instant t) {
        return tz != nullptr ? tz->to_local(t) : date::local_seconds(t.time_since_epoch());
    };
    std::set<const schedule::Talk*> named;
    std::set<const schedule::Talk*> recorded;
    std::size_t unmatched = 0;
    for (const auto& o : outcomes) {
        if (o.match->talk == nullptr) {
            ++unmatched;
            continue;
        }
        named.insert(o.match->talk);
        if (o.job != nullptr) {
            recorded.insert(o.match->talk);
        }
    }
    out << "\nFavourites: " << outcomes.size() << (outcomes.size() == 1 ? " entry" : " entries")
        << " naming " << named.size() << (named.size() == 1 ? " talk, " : " talks, ")
        << recorded.size() << " of them recorded";
    if (unmatched > 0) {
        out << "; " << unmatched << (unmatched == 1 ? " entry names" : " entries name")
            << " no talk";
    }
    out << "\n";
    const select::FavouriteList* list = nullptr;
    std::map<const schedule::Talk*, const select::FavouriteMatch*> first;  // entry naming a talk
    for (const auto& o : outcomes) {
        const auto& match = *o.match;
        const auto* earlier =
            match.talk == nullptr ? nullptr : first.emplace(match.talk, &match).first->second;
        if (match.list != list) {
            list = match.list;
            out << "  " << status::sanitize(list->source) << " (" << list->format << ")\n";
        }
        out << "    " << status::fit(match.entry->where, 10) << "  "
            << status::fit(status::sanitize(match.entry->label()), 40) << "  ";
        if (match.talk != nullptr) {
            out << status::fit(std::string("by ") + select::toString(match.by), 18) << "  ";
        }
        if (earlier != &match && earlier != nullptr) {
            out << "-> the same talk as " << status::sanitize(earlier->list->source) << " "
                << earlier->entry->where << "\n";
        } else if (o.job != nullptr) {
            out << "-> " << date::format("%a %H:%M", local(o.job->from)) << "-"
                << date::format("%H:%M", local(o.job->until)) << "  "
                << status::sanitize(o.job->talk.room) << "  "
                << status::sanitize(o.job->fileStem.string()) << "." << o.job->expectedExtension
                << "\n";
        } else {
            out << "not recorded: " << status::sanitize(o.why) << "\n";
        }
    }
}

Poco::JSON::Array::Ptr favouritesJson(const std::vector<FavouriteOutcome>& outcomes) {
    const auto textOrNull = [](bool known, const std::string& text) {
        return known ? Poco::Dynamic::Var(core::toValidUtf8(text)) : Poco::Dynamic::Var();
    };
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& o : outcomes) {
        const auto& match = *o.match;
        Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        j->set("source", core::toValidUtf8(match.list->source));
        j->set("format", match.list->format);
        j->set("entry", match.entry->where);
        j->set("label", core::toValidUtf8(match.entry->label()));
        const bool found = match.talk != nullptr;
        j->set("talk", textOrNull(found, found ? match.talk->key() : std::string()));
        j->set("matched_by", textOrNull(found, select::toString(match.by)));
        j->set("file", textOrNull(o.job != nullptr,
                                  o.job != nullptr
                                      ? o.job->fileStem.string() + "." + o.job->expectedExtension
                                      : std::string()));
        j->set("why", textOrNull(o.job == nullptr, o.why));
        array->add(j);
    }
    return array;
}

}  // namespace confcap::app

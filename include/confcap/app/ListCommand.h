// `confcap list`: the talks of a schedule as a table grouped by day, or as JSON.
#pragma once

#include <Poco/JSON/Object.h>

#include <ostream>

#include "confcap/app/CommandLine.h"
#include "confcap/schedule/Schedule.h"
#include "confcap/select/Favourites.h"
#include "confcap/select/Selector.h"

namespace confcap::app {

/// The selection rules the options in `arguments` describe. Throws core::UsageError for a bad
/// regex or day.
select::SelectionRules selectionRules(const Arguments& arguments);

/// Throws core::UsageError explaining why (select::Selector::explainNoneSelected) when
/// `selected`, what `selector` picked of `schedule`, is empty although the schedule has talks:
/// list, plan and record say so rather than print an empty table or wait for nothing. With
/// `favourites`, the message ends with the entries that name no talk.
void requireSelectedTalks(const select::Selector& selector, const schedule::Schedule& schedule,
                          const std::vector<const schedule::Talk*>& selected,
                          const select::FavouriteMatches* favourites = nullptr);

/// Prints `json` indented by two and a newline, in one piece: Poco ends every line with std::endl,
/// which would write the output to its stream a line at a time.
void printJson(const Poco::Dynamic::Var& json, std::ostream& out);

/// A talk as the JSON contract describes it (list --json, plan --json, the sidecar); invalid
/// UTF-8 in its texts becomes U+FFFD.
Poco::JSON::Object::Ptr talkJson(const schedule::Talk& talk);

/// Prints the selected talks as the contract's JSON: {"conference": {"title", "acronym",
/// "time_zone"}, "talks": [talk as in talkJson]}, written as it goes. Pure apart from writing to
/// `out`.
void printTalksJson(const schedule::Schedule& schedule,
                    const std::vector<const schedule::Talk*>& talks, std::ostream& out);

/// Prints the selected talks as a table grouped by day, in `zone` (IANA) or UTC when empty.
void printTalksTable(const schedule::Schedule& schedule,
                     const std::vector<const schedule::Talk*>& talks, const std::string& zone,
                     std::ostream& out);

/// Runs `confcap list`; returns the exit code.
int runList(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app

// `--conference SLUG`: a preset (FOSDEM) or a conference the c3voc streaming API announces gives
// the schedule and every room's stream; and `confcap conferences`, what the API announces now.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "confcap/app/CommandLine.h"
#include "confcap/plan/Plan.h"
#include "confcap/plan/StreamsApi.h"
#include "confcap/schedule/Schedule.h"

namespace confcap::app {

/// The streaming API confcap asks unless --streams-api names another.
inline constexpr const char* kDefaultStreamsApi = "https://streaming.media.ccc.de/streams/v2.json";

/// What --conference names, resolved once at a command's start.
struct ConferenceChoice {
    std::string slug;
    std::string schedule;        ///< the schedule's URL
    std::string timeZone;        ///< a preset's zone; empty for the API
    std::string streamTemplate;  ///< a preset's stream template; empty for the API
    /// The conference as the API announces it; nullopt for a preset.
    std::optional<plan::ApiConference> api;
    std::string apiSource;  ///< the --streams-api URL or file it came from
    plan::StreamKind kind = plan::StreamKind::Hd;
    plan::StreamLanguage language = plan::StreamLanguage::Native;
};

/// Fetches and parses the document --streams-api names (default kDefaultStreamsApi) through the
/// schedule cache (--cache-dir, --ca-file; conditional GET, the last good copy when offline);
/// notices go to `err`. Throws core::FetchError (unreachable and nothing cached),
/// core::InputError (a missing file) or core::ScheduleError (not a v2 document).
std::vector<plan::ApiConference> loadStreamsApi(const Arguments& arguments, std::ostream& err);

/// Resolves --conference: a preset of that name first (no network), else the conference the
/// streaming API announces with that slug (any case). nullopt without --conference. Throws
/// core::UsageError for a bad --stream-kind or --language, or a slug nobody knows (naming the
/// ones there are), and what loadStreamsApi() throws.
std::optional<ConferenceChoice> resolveConference(const Arguments& arguments, std::ostream& err);

/// `arguments` with --schedule, --timezone and --stream-template taken from the conference where
/// they were not given. Throws core::UsageError when neither names a schedule.
Arguments withConference(Arguments arguments, const std::optional<ConferenceChoice>& conference);

/// The API's streams for the schedule's rooms, as StreamMap::conferenceStreams wants them. Pure.
plan::RoomMatch conferenceRooms(const ConferenceChoice& conference,
                                const schedule::Schedule& schedule);

/// Adds the API's streams (if the conference has them) to `map`. Pure.
void addConferenceStreams(plan::StreamMap& map, const std::optional<ConferenceChoice>& conference,
                          const schedule::Schedule& schedule);

/// One warning line on `err` for each API room the schedule lacks, each schedule room the API
/// lacks, and each room whose API entry has no stream of the asked kind and language.
void reportConferenceRooms(const std::optional<ConferenceChoice>& conference,
                           const schedule::Schedule& schedule, std::ostream& err);

/// Runs `confcap conferences`: the API's conferences as a table or --json; returns the exit code.
int runConferences(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app

// `confcap summary DIR...`: one table of the talks of several output folders (the shards of a
// conference, or replicas of the same rooms), read from the sidecars beside the recordings and
// each folder's .confcap/summary.json.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "confcap/app/CommandLine.h"

namespace confcap::app {

/// One copy of a talk: what one folder holds of it.
struct TalkCopy {
    std::string key;  ///< the talk's guid, else its id
    std::string title;
    std::string room;
    std::string start;   ///< RFC 3339 UTC, as the sidecar or summary gives it
    std::string folder;  ///< the folder as given on the command line
    std::string outcome;
    std::string reason;  ///< from summary.json, for a talk without a sidecar
    double coveredSeconds = 0;
    double scheduledSeconds = 0;
    int gaps = 0;
    double gapSeconds = 0;
    std::filesystem::path file;  ///< the recording, under `folder`; empty when none was kept
    bool best = false;           ///< the copy of highest coverage among the talk's copies
    int copies = 1;              ///< how many folders hold the talk
};

/// The talks of `folders`: each folder's sidecars (`*.json` with a "talk" object, outside
/// hidden folders) and, for talks without a sidecar, the entries of its .confcap/summary.json.
/// A talk is listed once per folder that holds it, ordered by start, room, title, then the
/// folders' order. Throws core::InputError when a folder does not exist.
std::vector<TalkCopy> readTalkCopies(const std::vector<std::filesystem::path>& folders);

/// Runs `confcap summary`; returns the exit code.
int runSummary(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app

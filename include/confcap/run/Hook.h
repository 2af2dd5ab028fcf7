// The `--on-recorded` hook as values: its template split into arguments and checked, the
// placeholders filled from a finished talk, and what became of one run of it (kept in the
// journal, the talk's sidecar and the summary).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/run/Report.h"
#include "confcap/sink/Recording.h"

namespace confcap::run {

/// A hook's command line before its placeholders are filled.
struct HookTemplate {
    /// What the log calls the program: the file name of arguments[0].
    std::string name;
    /// The argument vector; arguments[0] is the program (looked up on PATH unless it holds a
    /// '/'). The placeholders of hookPlaceholders() anywhere in an argument are filled by
    /// fillHook().
    std::vector<std::string> arguments;
};

/// What a finished talk fills a hook's placeholders with.
struct HookValues {
    std::string file;     ///< {file}: the final file, an absolute path; empty when none was kept
    std::string sidecar;  ///< {sidecar}: the JSON sidecar, an absolute path; empty when none
    std::string title;    ///< {title}
    std::string room;     ///< {room}
    std::string start;    ///< {start}: the talk's scheduled start, RFC 3339 UTC
    std::string outcome;  ///< {outcome}: core::toString of the talk's outcome

    bool operator==(const HookValues&) const = default;
};

/// "file", "sidecar", "title", "room", "start", "outcome". Pure.
const std::vector<std::string>& hookPlaceholders();

/// `commandLine` (the value of --on-recorded) split as source::splitCommandLine splits it. Throws
/// core::UsageError for an empty template, one that cannot be split, and one holding a
/// {placeholder} that is not one of hookPlaceholders(). Pure.
HookTemplate hookTemplate(std::string_view commandLine);

/// `command.arguments` with every placeholder filled; each argument stays one argument whatever
/// the values hold (spaces, quotes, semicolons, braces). Pure.
std::vector<std::string> fillHook(const HookTemplate& command, const HookValues& values);

/// The values of a finalized talk: its files made absolute. Pure but for the current folder.
HookValues hookValuesOf(const sink::FinalizeResult& result);

/// Checks that the hook's program and the supervising programs (setsid, env, setpriv) are
/// installed. Throws core::SourceError (Permanent) naming the missing program.
void checkHookInstalled(const HookTemplate& command);

/// Where a talk's hook is.
enum class HookState {
    Pending,      ///< not run yet, or running: a restarted run with the same --out runs it
    Ok,           ///< exited with status 0
    Failed,       ///< exited with another status, was killed, or could not start
    TimedOut,     ///< ran longer than --hook-timeout and was stopped
    Interrupted,  ///< confcap stopped while it ran: the next run runs it again
};

/// "pending", "ok", "failed", "timed-out", "interrupted". Pure.
const char* toString(HookState state) noexcept;
/// The state named so, or nullopt. Pure.
std::optional<HookState> hookStateNamed(std::string_view name) noexcept;

/// One talk's hook: what it was given and what became of it.
struct HookRecord {
    std::string key;  ///< the talk's job key
    Mark mark;
    HookValues values;
    std::vector<std::string> command;  ///< the filled argument vector
    HookState state = HookState::Pending;
    std::string exit;      ///< what became of the program ("exited with status 1"); or empty
    double seconds = 0;    ///< how long it ran
    std::string finished;  ///< when it ended, RFC 3339 UTC; empty while pending
};

/// Whether a hook may move from `from` to `to`: a pending hook ends in one of the other states,
/// and a hook that ended stays as it is (an interrupted one runs again as a new, pending record).
/// Pure.
bool hookTransitionAllowed(HookState from, HookState to) noexcept;

/// Moves `hook` to `to`, noting what became of its program in `exit`. The one place a hook's
/// state changes. Throws std::logic_error when hookTransitionAllowed forbids the move.
void moveHook(HookRecord& hook, HookState to, std::string exit);

/// Hooks of a run by how they ended.
struct HookCounts {
    std::size_t ok = 0;
    std::size_t failed = 0;
    std::size_t timedOut = 0;
    std::size_t interrupted = 0;

    bool operator==(const HookCounts&) const = default;
};

}  // namespace confcap::run

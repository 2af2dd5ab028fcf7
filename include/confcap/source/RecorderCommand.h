// External recorder programs (mplayer -dumpstream, ffmpeg, streamlink, or the user's own command):
// their built-in command lines, a user's template split into an argument vector without a shell,
// the placeholders filled, and the check that the programs are installed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace confcap::source {

/// A recorder's command line before its placeholders are filled.
struct RecorderCommand {
    /// What the log calls the program: "ffmpeg", or the program name of a custom template.
    std::string name;
    /// The argument vector; arguments[0] is the program (looked up on PATH unless it holds a '/').
    /// "{url}" and "{output}" anywhere in an argument are filled by fillCommand().
    std::vector<std::string> arguments;
    /// False for a program that cannot record HLS (mplayer dumps the playlist, not the media):
    /// an HLS stream is then recorded by the native engine.
    bool recordsHls = true;
};

/// The command for `--recorder NAME` and `--recorder-command TEMPLATE`: the split template when
/// it is not empty (named after `recorder` when that names a built-in one, else after the
/// template's program), otherwise the built-in recipe of `recorder`. nullopt for the native
/// engine (`recorder` empty or "native", no template). Throws core::UsageError for an unknown
/// recorder, a template together with "native", and a template that cannot be split, is empty,
/// lacks {url} or {output}, or holds another {placeholder}. Pure.
std::optional<RecorderCommand> recorderCommand(std::string_view recorder,
                                               std::string_view commandTemplate);

/// True when `recorder` cannot record `url` because it is HLS (its path ends in .m3u8 or .m3u),
/// so the native engine records it instead. Pure.
bool nativeInstead(const std::optional<RecorderCommand>& recorder, std::string_view url);

/// What records `url`: "native", the recorder's name, or "native (mplayer cannot record HLS)".
/// Pure.
std::string recorderFor(const std::optional<RecorderCommand>& recorder, std::string_view url);

/// Splits a command line into arguments as a POSIX shell splits words, with no expansion at all:
/// blanks separate arguments; single quotes keep everything literally; double quotes keep
/// everything but a backslash before one of the four characters " \ $ ` (which it escapes);
/// outside quotes a backslash keeps the next character. Throws core::UsageError on an
/// unterminated quote or a trailing backslash. Pure.
std::vector<std::string> splitCommandLine(std::string_view line);

/// `command.arguments` with every "{url}" and "{output}" replaced; each argument stays one
/// argument whatever the values hold (spaces, quotes, semicolons). Pure.
std::vector<std::string> fillCommand(const RecorderCommand& command, std::string_view url,
                                     std::string_view output);

/// The programs a command source starts before the recorder itself, in order, to put it in a
/// process group of its own (setsid), give it default signal handling (env --default-signal) and
/// have the kernel kill it when confcap dies (setpriv --pdeathsig KILL). Pure.
const std::vector<std::string>& supervisorPrefix();

/// Checks that the supervising programs (setsid, env, setpriv) are installed and work. Throws
/// core::SourceError (Permanent) naming what is missing; `what` begins its sentence ("External
/// recorders").
void checkSupervisorInstalled(std::string_view what);

/// Checks that the recorder's program and the supervising programs (setsid, env, setpriv) are
/// installed. Throws core::SourceError (Permanent) naming the missing program and what to do.
void checkRecorderInstalled(const RecorderCommand& command);

}  // namespace confcap::source

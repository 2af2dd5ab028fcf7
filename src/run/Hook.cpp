#include "confcap/run/Hook.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/core/Outcome.h"
#include "confcap/core/Time.h"
#include "confcap/source/RecorderCommand.h"

namespace confcap::run {

namespace {

bool isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// The field of a "{name}" beginning at `open`, or empty when the braces there are literal.
std::string_view fieldAt(const std::string& argument, std::size_t open) {
    const std::size_t close = argument.find('}', open);
    if (close == std::string::npos) {
        return {};
    }
    const std::string_view field(argument.data() + open + 1, close - open - 1);
    return std::all_of(field.begin(), field.end(), isNameChar) ? field : std::string_view();
}

std::string absoluteText(const std::filesystem::path& path) {
    if (path.empty()) {
        return {};
    }
    std::error_code ignored;
    return std::filesystem::absolute(path, ignored).lexically_normal().string();
}

constexpr std::array kStates{HookState::Pending, HookState::Ok, HookState::Failed,
                             HookState::TimedOut, HookState::Interrupted};

}  // namespace

const std::vector<std::string>& hookPlaceholders() {
    static const std::vector<std::string> names = {"file", "sidecar", "title",
                                                   "room", "start",   "outcome"};
    return names;
}

HookTemplate hookTemplate(std::string_view commandLine) {
    HookTemplate command;
    command.arguments = source::splitCommandLine(commandLine);
    if (command.arguments.empty()) {
        throw core::UsageError("--on-recorded is empty; give a program and its arguments.");
    }
    const auto& names = hookPlaceholders();
    for (const auto& argument : command.arguments) {
        for (std::size_t open = argument.find('{'); open != std::string::npos;
             open = argument.find('{', open + 1)) {
            const auto field = fieldAt(argument, open);
            if (!field.empty() && std::find(names.begin(), names.end(), field) == names.end()) {
                throw core::UsageError("--on-recorded '" + std::string(commandLine) + "' holds {" +
                                       std::string(field) +
                                       "}; the placeholders are {file}, {sidecar}, {title}, "
                                       "{room}, {start} and {outcome}.");
            }
        }
    }
    const std::string& program = command.arguments.front();
    command.name = program.substr(program.rfind('/') + 1);
    return command;
}

std::vector<std::string> fillHook(const HookTemplate& command, const HookValues& values) {
    const std::array<std::pair<std::string_view, const std::string*>, 6> fields{{
        {"file", &values.file},
        {"sidecar", &values.sidecar},
        {"title", &values.title},
        {"room", &values.room},
        {"start", &values.start},
        {"outcome", &values.outcome},
    }};
    // One pass per argument, so that a value holding "{room}" is not filled a second time.
    std::vector<std::string> filled;
    filled.reserve(command.arguments.size());
    for (const auto& argument : command.arguments) {
        std::string text;
        std::size_t at = 0;
        while (at < argument.size()) {
            const std::string* value = nullptr;
            if (argument[at] == '{') {
                const auto field = fieldAt(argument, at);
                for (const auto& [name, v] : fields) {
                    if (!field.empty() && field == name) {
                        value = v;
                        at += name.size() + 2;
                        break;
                    }
                }
            }
            if (value != nullptr) {
                text += *value;
            } else {
                text += argument[at++];
            }
        }
        filled.push_back(std::move(text));
    }
    return filled;
}

HookValues hookValuesOf(const sink::FinalizeResult& result) {
    HookValues values;
    if (!result.files.empty()) {
        values.file = absoluteText(result.files.front());
    }
    values.sidecar = absoluteText(result.sidecar);
    values.title = result.talk.title;
    values.room = result.talk.room;
    values.start = result.talk.start ? core::formatUtc(*result.talk.start) : std::string();
    values.outcome = core::toString(result.outcome);
    return values;
}

void checkHookInstalled(const HookTemplate& command) {
    const std::string& program = command.arguments.front();
    if (core::findOnPath(program).empty()) {
        throw core::SourceError(
            "The --on-recorded program '" + program + "' is not installed (" +
                (program.find('/') != std::string::npos ? "no executable file there"
                                                        : "not found on PATH") +
                "); check --on-recorded.",
            core::ErrorKind::Permanent);
    }
    source::checkSupervisorInstalled("--on-recorded hooks");
}

const char* toString(HookState state) noexcept {
    switch (state) {
        case HookState::Pending:
            return "pending";
        case HookState::Ok:
            return "ok";
        case HookState::Failed:
            return "failed";
        case HookState::TimedOut:
            return "timed-out";
        case HookState::Interrupted:
            return "interrupted";
    }
    return "pending";
}

bool hookTransitionAllowed(HookState from, HookState to) noexcept {
    return from == HookState::Pending && to != HookState::Pending;
}

void moveHook(HookRecord& hook, HookState to, std::string exit) {
    if (!hookTransitionAllowed(hook.state, to)) {
        throw std::logic_error(std::string("hook state cannot move from ") + toString(hook.state) +
                               " to " + toString(to));
    }
    hook.state = to;
    hook.exit = std::move(exit);
}

std::optional<HookState> hookStateNamed(std::string_view name) noexcept {
    for (const auto state : kStates) {
        if (name == toString(state)) {
            return state;
        }
    }
    return std::nullopt;
}

}  // namespace confcap::run

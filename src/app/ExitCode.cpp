#include "confcap/app/ExitCode.h"

#include "confcap/core/Error.h"

namespace confcap::app {

ExitCode exitCodeFor(const std::exception& error) noexcept {
    if (dynamic_cast<const core::UsageError*>(&error) != nullptr) {
        return kExitUsage;
    }
    if (dynamic_cast<const core::ConfigError*>(&error) != nullptr) {
        return kExitConfig;
    }
    if (dynamic_cast<const core::ScheduleError*>(&error) != nullptr) {
        return kExitDataError;
    }
    if (dynamic_cast<const core::InputError*>(&error) != nullptr) {
        return kExitNoInput;
    }
    if (dynamic_cast<const core::FetchError*>(&error) != nullptr) {
        return kExitUnavailable;
    }
    if (dynamic_cast<const core::OutputError*>(&error) != nullptr) {
        return kExitCantCreate;
    }
    if (dynamic_cast<const core::SourceError*>(&error) != nullptr ||
        dynamic_cast<const core::NotInstalledError*>(&error) != nullptr) {
        return kExitUnavailable;
    }
    return kExitSoftware;
}

}  // namespace confcap::app

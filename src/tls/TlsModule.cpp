#include "confcap/tls/TlsModule.h"

#include <dlfcn.h>

#include <atomic>
#include <mutex>
#include <system_error>
#include <utility>
#include <vector>

#include "confcap/core/Error.h"

namespace confcap::tls {

namespace {

std::mutex mutex;
std::filesystem::path chosenFile;               // guarded by mutex
std::atomic<const Module*> theModule{nullptr};  // set once, never unloaded

// Where the module may be: beside the program (a build folder), then in the installation's
// library folder, found from the program's own folder so that any prefix works.
std::vector<std::filesystem::path> candidates() {
    if (!chosenFile.empty()) {
        return {chosenFile};
    }
    std::error_code error;
    const auto program = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) {
        return {};
    }
    const auto folder = program.parent_path();
    return {folder / kModuleFileName,
            (folder / CONFCAP_TLS_MODULE_DIR / kModuleFileName).lexically_normal()};
}

std::string listed(const std::vector<std::filesystem::path>& files) {
    std::string text;
    for (const auto& file : files) {
        text += (text.empty() ? "" : " or ") + file.string();
    }
    return text.empty() ? std::string("nowhere: the program's own path is unknown") : text;
}

}  // namespace

const Module& module() {
    if (const Module* current = theModule.load()) {
        return *current;
    }
    std::lock_guard lock(mutex);
    if (const Module* current = theModule.load()) {
        return *current;
    }
    const auto files = candidates();
    for (const auto& file : files) {
        std::error_code error;
        if (!std::filesystem::exists(file, error)) {
            continue;
        }
        void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            throw core::NotInstalledError("TLS needs confcap's module " + file.string() +
                                          ", which cannot be loaded (" + ::dlerror() +
                                          "); reinstall confcap.");
        }
        using Entry = const Module* (*)(const char*);
        const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "confcap_tls_module"));
        const Module* made = entry != nullptr ? entry(kInterface) : nullptr;
        if (made == nullptr) {
            ::dlclose(handle);
            throw core::NotInstalledError(
                "TLS needs confcap's module, but " + file.string() +
                " belongs to another build of confcap (was it upgraded while this one ran?); "
                "restart confcap, or reinstall it.");
        }
        theModule.store(made);
        return *made;
    }
    throw core::NotInstalledError(std::string("TLS needs confcap's module ") + kModuleFileName +
                                  ", which is not installed (looked for " + listed(files) +
                                  "); reinstall confcap.");
}

bool loaded() noexcept {
    return theModule.load() != nullptr;
}

void useModuleFile(std::filesystem::path file) {
    std::lock_guard lock(mutex);
    chosenFile = std::move(file);
}

}  // namespace confcap::tls

// Request targets through the status server's file handling, against an output folder with
// recordings, bookkeeping, a FIFO and symlinks leading out of it: every open() made while a
// request is handled names a path inside the output folder, never one in its bookkeeping folder
// but the summary, and a descriptor handed out is a regular file inside the folder.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "FuzzCheck.h"
#include "confcap/status/ServedFile.h"

using namespace confcap;
namespace fs = std::filesystem;

namespace {

bool watching = false;
int opens = 0;     // open() calls while watching
std::string root;  // the output folder, resolved

bool inside(std::string_view path) {
    return path.size() > root.size() + 1 && path.substr(0, root.size()) == root &&
           path[root.size()] == '/';
}

void checkOpened(const char* path) {
    if (!watching) {
        return;
    }
    ++opens;
    const std::string_view opened(path);
    fuzz::check(inside(opened), "opened outside the output folder: " + std::string(opened));
    const auto relative = opened.substr(root.size() + 1);
    fuzz::check(!relative.starts_with(status::kBookkeeping) || relative == status::kSummaryFile,
                "opened a bookkeeping file: " + std::string(opened));
}

/// The folder: <tmp>/confcap-fuzz-<pid>/{secret, out/{talk.ts, day/b.ts, .confcap/...}}.
void makeFolder() {
    const fs::path base =
        fs::temp_directory_path() / ("confcap-fuzz-" + std::to_string(::getpid()));
    fs::remove_all(base);
    fs::create_directories(base / "out" / "day");
    fs::create_directories(base / "out" / ".confcap");
    std::ofstream(base / "secret") << "secret";
    std::ofstream(base / "out" / "talk.ts") << "ts";
    std::ofstream(base / "out" / "day" / "b.ts") << "ts";
    std::ofstream(base / "out" / ".confcap" / "summary.json") << "{}";
    std::ofstream(base / "out" / ".confcap" / "journal.json") << "{}";
    fs::create_symlink(base / "secret", base / "out" / "link-out");
    fs::create_symlink("../secret", base / "out" / "day" / "up");
    fs::create_symlink(base, base / "out" / "base");
    fs::create_symlink(".confcap/journal.json", base / "out" / "journal");
    ::mkfifo((base / "out" / "fifo.ts").c_str(), 0600);
    root = fs::canonical(base / "out").string();
}

}  // namespace

// The status server's open() calls come here: the target links with -Wl,--wrap=open and
// --wrap=open64 (which one a call uses depends on _FILE_OFFSET_BITS).
extern "C" int __real_open(const char* path, int flags, ...);
extern "C" int __real_open64(const char* path, int flags, ...);

namespace {

mode_t modeOf(int flags, va_list args) {
    return (flags & O_CREAT) != 0 ? static_cast<mode_t>(va_arg(args, int)) : 0;
}

}  // namespace

extern "C" int __wrap_open(const char* path, int flags, ...) {
    checkOpened(path);
    va_list args;
    va_start(args, flags);
    const mode_t mode = modeOf(flags, args);
    va_end(args);
    return __real_open(path, flags, mode);
}

extern "C" int __wrap_open64(const char* path, int flags, ...) {
    checkOpened(path);
    va_list args;
    va_start(args, flags);
    const mode_t mode = modeOf(flags, args);
    va_end(args);
    return __real_open64(path, flags, mode);
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    makeFolder();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view target(reinterpret_cast<const char*>(data), size);
    const auto file = status::servedFile(status::requestPath(target));
    if (!file || std::holds_alternative<status::FileRefusal>(*file)) {
        return 0;
    }
    watching = true;
    opens = 0;
    const auto opened = status::openServedFile(root, std::get<std::string>(*file));
    watching = false;
    if (const auto* fd = std::get_if<int>(&opened)) {
        fuzz::check(opens == 1, "a file was served without the open() watched here");
        struct stat info {};
        fuzz::check(::fstat(*fd, &info) == 0 && S_ISREG(info.st_mode), "served a non-file");
        char path[4096];
        const auto n =
            ::readlink(("/proc/self/fd/" + std::to_string(*fd)).c_str(), path, sizeof path - 1);
        fuzz::check(n > 0 && inside(std::string_view(path, static_cast<std::size_t>(n))),
                    "served a file outside the output folder");
        ::close(*fd);
    }
    return 0;
}

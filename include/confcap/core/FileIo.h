// Low-level file helpers shared by the modules: writing with POSIX descriptors, and finding a
// program the way a shell does.
#pragma once

#include <filesystem>
#include <string_view>

namespace confcap::core {

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR. Returns false with errno set
/// when a write fails (ENOSPC, EFBIG, EPIPE...). Any thread.
bool writeAll(int fd, std::string_view bytes) noexcept;

/// The executable file `program` resolves to through the PATH variable (or `program` itself when
/// it holds a '/'); empty when none.
std::filesystem::path findOnPath(std::string_view program);

}  // namespace confcap::core

// Low-level file writing shared by the modules that write with POSIX descriptors.
#pragma once

#include <string_view>

namespace confcap::core {

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR. Returns false with errno set
/// when a write fails (ENOSPC, EFBIG, EPIPE...). Any thread.
bool writeAll(int fd, std::string_view bytes) noexcept;

}  // namespace confcap::core

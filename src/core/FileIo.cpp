#include "confcap/core/FileIo.h"

#include <unistd.h>

#include <cerrno>

namespace confcap::core {

bool writeAll(int fd, std::string_view bytes) noexcept {
    while (!bytes.empty()) {
        const auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace confcap::core

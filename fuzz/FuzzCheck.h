// What the fuzz targets share: a check that aborts with a message, so libFuzzer keeps the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace confcap::fuzz {

/// Aborts with `what` when `condition` is false.
inline void check(bool condition, std::string_view what) {
    if (!condition) {
        std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()),
                     what.data());
        std::abort();
    }
}

/// Whether `text` is valid UTF-8 without control characters (C0, DEL) or NUL.
bool isCleanUtf8(std::string_view text);

}  // namespace confcap::fuzz

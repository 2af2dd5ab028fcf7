// Counting what a page or a log holds, for suites that check rendered text.
#pragma once

#include <cstddef>
#include <string>

namespace confcap::testing {

/// How many times `what` occurs in `text` (overlapping occurrences too).
inline std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

}  // namespace confcap::testing

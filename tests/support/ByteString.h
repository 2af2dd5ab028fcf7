// Bytes written out in a test: {0xFF, 0xF1, ...} as the string a reader takes.
#pragma once

#include <initializer_list>
#include <string>

namespace confcap::testing {

/// The bytes `values` (each 0-255) as a string.
inline std::string bytesOf(std::initializer_list<unsigned> values) {
    std::string out;
    for (const unsigned v : values) {
        out.push_back(static_cast<char>(v));
    }
    return out;
}

}  // namespace confcap::testing

// Small text helpers shared by the modules.
#pragma once

#include <algorithm>
#include <cctype>
#include <string_view>

namespace confcap::core {

/// ASCII case-insensitive equality (room names, guids, ids). Pure.
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace confcap::core

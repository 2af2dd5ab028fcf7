// Small text helpers shared by the modules.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace confcap::core {

/// ASCII case-insensitive equality (room names, guids, ids). Pure.
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

/// A sentence as a clause inside another: no final period or space, and a lower-case start
/// unless its first word is an acronym or a URL ("The disk is full." → "the disk is full";
/// "HTTP 404" stays). Pure.
inline std::string clause(std::string sentence) {
    while (!sentence.empty() && (sentence.back() == '.' || sentence.back() == ' ')) {
        sentence.pop_back();
    }
    if (sentence.size() > 1 && sentence[0] >= 'A' && sentence[0] <= 'Z' && sentence[1] >= 'a' &&
        sentence[1] <= 'z') {
        sentence[0] = static_cast<char>(sentence[0] - 'A' + 'a');
    }
    return sentence;
}

}  // namespace confcap::core

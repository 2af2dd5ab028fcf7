// Small text helpers shared by the modules.
#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
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

/// `text` without leading and trailing ASCII white space (space, tab, CR, LF, FF, VT). Pure.
std::string_view trimmed(std::string_view text) noexcept;

/// `text` in ASCII upper case. Pure.
std::string upperCase(std::string_view text);

/// The whole of `text`, white space around it aside, as a decimal number of type T (an integer
/// type, or double); nullopt for anything else, an overflow included. Pure.
template <typename T>
std::optional<T> parseNumber(std::string_view text) noexcept {
    text = trimmed(text);
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

/// Decodes one UTF-8 character at `pos` and advances past it; nullopt (advancing one byte) for
/// an invalid, overlong or surrogate sequence. Pure.
std::optional<char32_t> decodeUtf8(std::string_view text, std::size_t& pos) noexcept;

/// `text` with invalid UTF-8 sequences replaced by U+FFFD; everything else unchanged. Pure.
std::string toValidUtf8(std::string_view text);

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

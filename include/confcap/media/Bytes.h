// Big-endian numbers in a byte string, as every container layout in media stores them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace confcap::media {

/// The byte at `i` of `s`, unsigned; `i` must be inside `s`. Pure.
inline std::uint8_t byteAt(std::string_view s, std::size_t i) noexcept {
    return static_cast<std::uint8_t>(s[i]);
}

/// The unsigned big-endian number in the `bytes` bytes at `at` of `s`; bytes past the end of `s`
/// are left out (the number is shorter). Pure.
inline std::uint64_t bigEndian(std::string_view s, std::size_t at, std::size_t bytes) noexcept {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < bytes && at + i < s.size(); ++i) {
        value = (value << 8) | byteAt(s, at + i);
    }
    return value;
}

/// Writes the low `bytes` bytes of `value` big-endian at `at` of `s` (a field wider than 8 bytes
/// starts with zeros); bytes past the end of `s` are left out.
inline void putBigEndian(std::string& s, std::size_t at, std::size_t bytes,
                         std::uint64_t value) noexcept {
    for (std::size_t i = 0; i < bytes; ++i) {
        const std::size_t shift = 8 * (bytes - 1 - i);
        if (at + i < s.size()) {
            s[at + i] = shift < 64 ? static_cast<char>((value >> shift) & 0xFF) : '\0';
        }
    }
}

}  // namespace confcap::media

// Text for people: untrusted strings (talk titles, server messages) made safe for a terminal or a
// page, and fitted into columns by UTF-8 character. Figures are spelled by core/Format.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <date/tz.h>

namespace confcap::status {

/// `text` made safe to print on one line: invalid UTF-8 becomes U+FFFD, tabs and line breaks
/// become spaces, other control characters (C0, DEL, C1, so ESC too) and bidirectional
/// overrides become U+FFFD. Pure.
std::string sanitize(std::string_view text);

/// The terminal columns `text` (valid UTF-8) takes: East Asian wide characters and emoji count
/// 2, combining marks and zero-width characters 0, everything else 1. Pure.
std::size_t displayWidth(std::string_view text);

/// `text` (valid UTF-8) cut to at most `width` columns, ending in "…" when cut; never splits a
/// character. Pure.
std::string truncateToWidth(std::string_view text, std::size_t width);

/// `text` (valid UTF-8) truncated or padded with spaces to exactly `width` columns. Pure.
std::string fit(std::string_view text, std::size_t width, bool alignRight = false);

/// The zone times are shown in: nullptr (UTC) when `utc`, else `zone`, else the machine's zone
/// (UTC when it has none). Pure apart from reading the machine's zone.
const date::time_zone* displayZone(const date::time_zone* zone, bool utc) noexcept;

/// A share as a whole percentage: 0.456 -> "46%". Pure.
std::string percentText(double fraction);

/// `value`, or 0 when it is not a finite number (JSON has no NaN or infinity). Pure.
double finiteOrZero(double value) noexcept;

}  // namespace confcap::status

#include "confcap/status/TextFormat.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "confcap/core/Text.h"

namespace confcap::status {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

bool isControl(char32_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

bool isBidiControl(char32_t c) {
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

struct Range {
    char32_t first, last;
};

constexpr std::array kZeroWidth{
    Range{0x0300, 0x036F}, Range{0x0483, 0x0489}, Range{0x0591, 0x05BD}, Range{0x0610, 0x061A},
    Range{0x064B, 0x065F}, Range{0x1AB0, 0x1AFF}, Range{0x1DC0, 0x1DFF}, Range{0x200B, 0x200F},
    Range{0x20D0, 0x20FF}, Range{0xFE00, 0xFE0F}, Range{0xFE20, 0xFE2F}, Range{0xFEFF, 0xFEFF},
};

constexpr std::array kWide{
    Range{0x1100, 0x115F},   Range{0x231A, 0x231B},   Range{0x2E80, 0x303E},
    Range{0x3041, 0x33FF},   Range{0x3400, 0x4DBF},   Range{0x4E00, 0x9FFF},
    Range{0xA000, 0xA4CF},   Range{0xAC00, 0xD7A3},   Range{0xF900, 0xFAFF},
    Range{0xFE30, 0xFE4F},   Range{0xFF00, 0xFF60},   Range{0xFFE0, 0xFFE6},
    Range{0x1F300, 0x1F64F}, Range{0x1F680, 0x1F6FF}, Range{0x1F900, 0x1F9FF},
    Range{0x20000, 0x2FFFD}, Range{0x30000, 0x3FFFD},
};

template <std::size_t N>
bool inRanges(const std::array<Range, N>& ranges, char32_t c) {
    for (const auto& range : ranges) {
        if (c >= range.first && c <= range.last) {
            return true;
        }
    }
    return false;
}

std::size_t columns(char32_t c) {
    if (inRanges(kZeroWidth, c)) {
        return 0;
    }
    return inRanges(kWide, c) ? 2 : 1;
}

}  // namespace

std::string sanitize(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto start = pos;
        const auto c = core::decodeUtf8(text, pos);
        if (!c) {
            out.append(kReplacement);
        } else if (*c == '\t' || *c == '\n' || *c == '\r') {
            out.push_back(' ');
        } else if (isControl(*c) || isBidiControl(*c)) {
            out.append(kReplacement);
        } else {
            out.append(text.substr(start, pos - start));
        }
    }
    return out;
}

std::size_t displayWidth(std::string_view text) {
    std::size_t width = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto c = core::decodeUtf8(text, pos);
        width += c ? columns(*c) : 1;
    }
    return width;
}

std::string truncateToWidth(std::string_view text, std::size_t width) {
    if (displayWidth(text) <= width) {
        return std::string(text);
    }
    if (width == 0) {
        return {};
    }
    std::string out;
    std::size_t used = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto start = pos;
        const auto c = core::decodeUtf8(text, pos);
        const auto w = c ? columns(*c) : 1;
        if (used + w > width - 1) {
            break;
        }
        used += w;
        out.append(text.substr(start, pos - start));
    }
    out.append(kEllipsis);
    return out;
}

std::string fit(std::string_view text, std::size_t width, bool alignRight) {
    auto out = truncateToWidth(text, width);
    const auto padding = std::string(width - displayWidth(out), ' ');
    return alignRight ? padding + out : out + padding;
}

const date::time_zone* displayZone(const date::time_zone* zone, bool utc) noexcept {
    if (utc) {
        return nullptr;
    }
    if (zone != nullptr) {
        return zone;
    }
    try {
        return date::current_zone();
    } catch (const std::exception&) {
        return nullptr;
    }
}

std::string percentText(double fraction) {
    return std::to_string(static_cast<long>(std::lround(fraction * 100))) + "%";
}

double finiteOrZero(double value) noexcept {
    return std::isfinite(value) ? value : 0.0;
}

}  // namespace confcap::status

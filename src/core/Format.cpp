#include "confcap/core/Format.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace confcap::core {

namespace {

std::string oneDecimal(double value, const char* unit) {
    char buffer[32];
    if (value < 99.95) {
        std::snprintf(buffer, sizeof buffer, "%.1f %s", value, unit);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.0f %s", value, unit);
    }
    return buffer;
}

}  // namespace

std::string formatBytes(std::uint64_t bytes) {
    if (bytes < 1000) {
        return std::to_string(bytes) + " B";
    }
    constexpr std::array units{"kB", "MB", "GB", "TB", "PB"};
    auto value = static_cast<double>(bytes) / 1000.0;
    std::size_t unit = 0;
    // Round first so 999.96 kB becomes "1.0 MB", not "1000 kB".
    while (std::round(value) >= 1000.0 && unit + 1 < units.size()) {
        value /= 1000.0;
        ++unit;
    }
    return oneDecimal(value, units[unit]);
}

std::string formatRate(double bitsPerSecond) {
    if (!(bitsPerSecond > 0)) {
        return "-";
    }
    if (bitsPerSecond < 1000) {
        return oneDecimal(bitsPerSecond, "b/s");
    }
    constexpr std::array units{"kb/s", "Mb/s", "Gb/s"};
    auto value = bitsPerSecond / 1000.0;
    std::size_t unit = 0;
    while (std::round(value) >= 1000.0 && unit + 1 < units.size()) {
        value /= 1000.0;
        ++unit;
    }
    return oneDecimal(value, units[unit]);
}

std::string formatSpan(std::chrono::seconds span) {
    const auto s = std::max<std::int64_t>(0, span.count());
    char buffer[32];
    if (s < 60) {
        std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(s));
    } else if (s < 3600) {
        std::snprintf(buffer, sizeof buffer, "%lldm", static_cast<long long>(s / 60));
    } else if (s < 100 * 3600) {
        std::snprintf(buffer, sizeof buffer, "%lldh%02lld", static_cast<long long>(s / 3600),
                      static_cast<long long>(s % 3600 / 60));
    } else {
        std::snprintf(buffer, sizeof buffer, "%lldh", static_cast<long long>(s / 3600));
    }
    return buffer;
}

std::string formatSeconds(double seconds) {
    seconds = seconds > 0 ? seconds : 0.0;
    char buffer[32];
    if (seconds < 10) {
        std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
    } else if (seconds < 120) {
        std::snprintf(buffer, sizeof buffer, "%.0f s", seconds);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.1f min", seconds / 60.0);
    }
    return buffer;
}

}  // namespace confcap::core

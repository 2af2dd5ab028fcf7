#include "confcap/core/Time.h"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"

namespace confcap::core {

namespace {

bool readNumber(std::string_view text, std::size_t& pos, long long& value) {
    const auto* begin = text.data() + pos;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc{} || ptr == begin) {
        return false;
    }
    pos += static_cast<std::size_t>(ptr - begin);
    return true;
}

}  // namespace

Seconds parseDuration(std::string_view text) {
    const auto bad = [&] {
        return UsageError("'" + std::string(text) +
                          "' is not a duration; write it like 90s, 5m or 1h30m.");
    };
    if (text.empty()) {
        throw bad();
    }
    long long total = 0;
    std::size_t pos = 0;
    int lastRank = 5;
    while (pos < text.size()) {
        long long n = 0;
        if (!readNumber(text, pos, n) || n < 0) {
            throw bad();
        }
        if (pos == text.size()) {
            if (lastRank != 5) {
                throw bad();  // "1h30" is ambiguous
            }
            total += n;
            break;
        }
        int rank = 0;
        long long unit = 1;
        switch (text[pos]) {
            case 'd':
                rank = 4;
                unit = 86400;
                break;
            case 'h':
                rank = 3;
                unit = 3600;
                break;
            case 'm':
                rank = 2;
                unit = 60;
                break;
            case 's':
                rank = 1;
                unit = 1;
                break;
            default:
                throw bad();
        }
        if (rank >= lastRank) {
            throw bad();  // units must come largest first, each once
        }
        lastRank = rank;
        ++pos;
        if (n > 366LL * 86400 / unit) {
            throw bad();
        }
        total += n * unit;
    }
    return Seconds(total);
}

std::string formatDuration(Seconds d) {
    long long s = d.count();
    std::string out;
    if (s < 0) {
        out = "-";
        s = -s;
    }
    const long long h = s / 3600;
    const long long m = s % 3600 / 60;
    const long long sec = s % 60;
    if (h > 0) {
        out += std::to_string(h) + "h" + std::to_string(m) + "m";
        if (sec != 0) {
            out += std::to_string(sec) + "s";
        }
    } else if (m > 0) {
        out += std::to_string(m) + "m";
        if (sec != 0) {
            out += std::to_string(sec) + "s";
        }
    } else {
        out += std::to_string(sec) + "s";
    }
    return out;
}

std::string formatUtc(Instant t) {
    // By hand rather than with date::format: listing a schedule formats thousands of these.
    const auto day = date::floor<date::days>(t);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss<Seconds> time{t - day};
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return buffer;
}

std::optional<Instant> parseIsoInstant(std::string_view text) {
    // Real schedules carry white space around the text inside elements.
    text = trimmed(text);
    // YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|+HHMM|+HH)
    if (text.size() < 16 || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != ' ') || text[13] != ':') {
        return std::nullopt;
    }
    auto num = [&](std::size_t at, std::size_t len, int& out) {
        if (at + len > text.size()) {
            return false;
        }
        out = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
                return false;
            }
            out = out * 10 + (text[i] - '0');
        }
        return true;
    };
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi)) {
        return std::nullopt;
    }
    std::size_t pos = 16;
    if (pos < text.size() && text[pos] == ':') {
        if (!num(pos + 1, 2, s)) {
            return std::nullopt;
        }
        pos += 3;
        if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
            ++pos;
            while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
                ++pos;
            }
        }
    }
    if (pos >= text.size()) {
        return std::nullopt;  // no offset: not an instant
    }
    int offsetMinutes = 0;
    if (text[pos] == 'Z' || text[pos] == 'z') {
        ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
        const int sign = text[pos] == '-' ? -1 : 1;
        int oh = 0, om = 0;
        if (!num(pos + 1, 2, oh)) {
            return std::nullopt;
        }
        pos += 3;
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
        }
        if (pos < text.size()) {
            if (!num(pos, 2, om)) {
                return std::nullopt;
            }
            pos += 2;
        }
        if (oh > 23 || om > 59) {
            return std::nullopt;  // RFC 3339 offsets run from -23:59 to +23:59
        }
        offsetMinutes = sign * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                   date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 24 || mi > 59 || s > 60) {
        return std::nullopt;
    }
    return date::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + Seconds{s} -
           std::chrono::minutes{offsetMinutes};
}

}  // namespace confcap::core

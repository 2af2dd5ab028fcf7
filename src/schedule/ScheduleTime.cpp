#include "confcap/schedule/ScheduleTime.h"

#include <chrono>
#include <exception>
#include <utility>

#include <date/tz.h>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/schedule/ScheduleBuilder.h"

namespace confcap::schedule {

namespace {

bool isDigit(char c) noexcept {
    return c >= '0' && c <= '9';
}

/// Reads `count` digits at `pos`; false when any is not a digit.
bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out) noexcept {
    if (pos + count > text.size()) {
        return false;
    }
    out = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (!isDigit(text[i])) {
            return false;
        }
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

const date::time_zone* locate(std::string_view name) {
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr;
    }
}

constexpr const char* kZoneExample = "(e.g. Europe/Brussels)";

}  // namespace

std::optional<core::Seconds> parseTimeOfDay(std::string_view text) {
    text = core::trimmed(text);
    const std::size_t hourDigits = text.find(':');
    if (hourDigits != 1 && hourDigits != 2) {
        return std::nullopt;
    }
    int hours = 0;
    int minutes = 0;
    int seconds = 0;
    if (!digits(text, 0, hourDigits, hours) || !digits(text, hourDigits + 1, 2, minutes)) {
        return std::nullopt;
    }
    std::size_t pos = hourDigits + 3;
    if (pos < text.size()) {
        if (text[pos] != ':' || !digits(text, pos + 1, 2, seconds)) {
            return std::nullopt;
        }
        pos += 3;
    }
    if (pos != text.size() || hours > 23 || minutes > 59 || seconds > 59) {
        return std::nullopt;
    }
    return core::Seconds{hours * 3600 + minutes * 60 + seconds};
}

std::optional<date::local_days> parseLocalDate(std::string_view text) {
    text = core::trimmed(text);
    int y = 0;
    int m = 0;
    int d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(text, 0, 4, y) ||
        !digits(text, 5, 2, m) || !digits(text, 8, 2, d)) {
        return std::nullopt;
    }
    const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                   date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return date::local_days{ymd};
}

std::optional<date::local_seconds> parseLocalDateTime(std::string_view text) {
    text = core::trimmed(text);
    if (text.size() < 16 || (text[10] != 'T' && text[10] != ' ')) {
        return std::nullopt;
    }
    const auto day = parseLocalDate(text.substr(0, 10));
    const auto clock = parseTimeOfDay(text.substr(11));
    if (!day || !clock) {
        return std::nullopt;
    }
    return *day + *clock;
}

ScheduleTime::ScheduleTime(std::string source, std::string_view scheduleZone,
                           const std::optional<std::string>& userZone)
    : source_(std::move(source)) {
    scheduleZone = core::trimmed(scheduleZone);
    const date::time_zone* user = nullptr;
    if (userZone) {
        user = locate(core::trimmed(*userZone));
        if (user == nullptr) {
            throw core::ScheduleError("Cannot read " + source_ + ": --timezone '" + *userZone +
                                      "' is not a known IANA time zone " + kZoneExample + ".");
        }
    }
    if (!scheduleZone.empty()) {
        zone_ = locate(scheduleZone);
        if (zone_ == nullptr) {
            const std::string named(scheduleZone);
            if (user != nullptr) {
                warning_ = source_ + " names the unknown time zone '" + named + "'; using '" +
                           user->name() + "' from --timezone instead.";
            } else {
                warning_ = source_ + " names the unknown time zone '" + named + "'.";
                missingZoneMessage_ = source_ + " names the unknown time zone '" + named +
                                      "'; pass --timezone ZONE " + kZoneExample + ".";
            }
        }
    }
    if (zone_ == nullptr) {
        zone_ = user;
    }
    if (zone_ != nullptr) {
        zoneName_ = zone_->name();
    } else if (missingZoneMessage_.empty()) {
        missingZoneMessage_ = source_ +
                              " names no time zone for its local times; pass --timezone ZONE " +
                              kZoneExample + ".";
    }
}

core::Instant ScheduleTime::toUtc(date::local_seconds local) const {
    if (zone_ == nullptr) {
        throw core::ScheduleError(missingZoneMessage_);
    }
    return zone_->to_sys(local, date::choose::earliest);
}

core::Instant ScheduleTime::eventStart(date::local_days day, core::Seconds start,
                                       std::optional<core::Seconds> rollover) const {
    if (rollover && start < *rollover) {
        day += date::days{1};
    }
    return toUtc(day + start);
}

std::optional<core::Seconds> ScheduleTime::dayStartTime(std::string_view dayStart) const {
    dayStart = core::trimmed(dayStart);
    if (zone_ != nullptr) {
        if (auto instant = core::parseIsoInstant(dayStart)) {
            const date::local_seconds local = zone_->to_local(*instant);
            return core::Seconds{local - date::floor<date::days>(local)};
        }
    }
    const std::size_t t = dayStart.find('T');
    if (t == std::string_view::npos || t + 6 > dayStart.size()) {
        return std::nullopt;
    }
    // The wall clock as written: "HH:MM" or "HH:MM:SS" right after the T.
    const std::string_view clock = dayStart.substr(t + 1);
    const std::size_t len = clock.size() >= 8 && clock[5] == ':' ? 8 : 5;
    return parseTimeOfDay(clock.substr(0, len));
}

}  // namespace confcap::schedule

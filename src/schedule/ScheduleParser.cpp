#include "confcap/schedule/ScheduleParser.h"

#include <array>
#include <cctype>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/schedule/JsonScheduleParser.h"
#include "confcap/schedule/ScheduleBuilder.h"
#include "confcap/schedule/XmlScheduleParser.h"

namespace confcap::schedule {

namespace {

char lower(char c) noexcept {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix) noexcept {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (lower(text[i]) != prefix[i]) {
            return false;
        }
    }
    return true;
}

/// An HTML page (an error page, a login wall, a web front page) rather than schedule.xml.
bool looksLikeHtml(std::string_view text) noexcept {
    // Skip an XML declaration and comments, which some HTML pages carry too.
    while (true) {
        text = core::trimmed(text);
        std::size_t end = std::string_view::npos;
        if (text.substr(0, 5) == "<?xml") {
            end = text.find("?>");
        } else if (text.substr(0, 4) == "<!--") {
            end = text.find("-->");
        } else {
            break;
        }
        if (end == std::string_view::npos) {
            return false;
        }
        text.remove_prefix(end + 2);
        if (!text.empty() && text.front() == '>') {
            text.remove_prefix(1);
        }
    }
    return startsWithIgnoringCase(text, "<!doctype html") || startsWithIgnoringCase(text, "<html");
}

/// Reads a run of at most `maxDigits` digits; false when empty, longer or not all digits.
bool readNumber(std::string_view text, std::size_t maxDigits, long long& out) noexcept {
    if (text.empty() || text.size() > maxDigits) {
        return false;
    }
    out = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
        out = out * 10 + (c - '0');
    }
    return true;
}

}  // namespace

namespace {

/// The document in `bytes` without a UTF-8 BOM and surrounding white space, checked to open like
/// XML or JSON. Throws core::ScheduleError when it cannot be a schedule.
std::string_view scheduleText(std::string_view bytes, const ParseOptions& options) {
    std::string_view text = bytes;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    text = core::trimmed(text);
    if (text.empty()) {
        throw core::ScheduleError(options.source + " is empty, so it holds no schedule.");
    }
    if (text.front() == '<') {
        if (looksLikeHtml(text)) {
            throw core::ScheduleError(options.source +
                                      " looks like an HTML page, not a schedule; check the URL.");
        }
        return text;
    }
    if (text.front() == '{' || text.front() == '[') {
        return text;
    }
    throw core::ScheduleError(options.source +
                              " is neither XML nor JSON, so it is not a schedule.");
}

}  // namespace

Schedule parseSchedule(std::string_view bytes, const ParseOptions& options) {
    const std::string_view text = scheduleText(bytes, options);
    if (text.front() == '<') {
        return XmlScheduleParser(options).parse(bytes);
    }
    return JsonScheduleParser(options).parse(text);
}

Schedule parseScheduleInPlace(std::string&& bytes, const ParseOptions& options) {
    const std::string_view text = scheduleText(bytes, options);
    if (text.front() == '<') {
        return XmlScheduleParser(options).parseInPlace(std::move(bytes));
    }
    return JsonScheduleParser(options).parse(text);
}

std::optional<core::Seconds> parseScheduleDuration(std::string_view text) {
    text = core::trimmed(text);
    std::array<std::string_view, 3> parts;
    std::size_t count = 0;
    while (true) {
        const std::size_t colon = text.find(':');
        if (count == parts.size()) {
            return std::nullopt;
        }
        parts[count++] = text.substr(0, colon);
        if (colon == std::string_view::npos) {
            break;
        }
        text.remove_prefix(colon + 1);
    }
    long long a = 0;
    long long b = 0;
    long long c = 0;
    switch (count) {
        case 1:  // a bare number of minutes
            if (!readNumber(parts[0], 5, a)) {
                return std::nullopt;
            }
            return core::Seconds{a * 60};
        case 2:  // H:MM
            if (!readNumber(parts[0], 3, a) || parts[1].size() != 2 ||
                !readNumber(parts[1], 2, b) || b > 59) {
                return std::nullopt;
            }
            return core::Seconds{a * 3600 + b * 60};
        default:
            break;
    }
    if (!readNumber(parts[0], 3, a) || parts[1].size() != 2 || !readNumber(parts[1], 2, b) ||
        parts[2].size() != 2 || !readNumber(parts[2], 2, c) || b > 59 || c > 59) {
        return std::nullopt;
    }
    // B > 23 cannot be an hour; a leading zero ("0:30:00", "01:30:00") marks an hour field.
    const bool hoursFirst = b > 23 || parts[0].front() == '0';
    if (hoursFirst) {
        return core::Seconds{a * 3600 + b * 60 + c};  // H:MM:SS
    }
    return core::Seconds{a * 86400 + b * 3600 + c * 60};  // D:HH:MM
}

std::optional<bool> parseScheduleBool(std::string_view text) {
    text = core::trimmed(text);
    if (text == "1" || (text.size() == 4 && startsWithIgnoringCase(text, "true"))) {
        return true;
    }
    if (text == "0" || (text.size() == 5 && startsWithIgnoringCase(text, "false"))) {
        return false;
    }
    return std::nullopt;
}

std::string deriveRoomSlug(std::string_view roomName) {
    std::string slug;
    slug.reserve(roomName.size());
    int depth = 0;
    for (char c : roomName) {
        if (c == '(') {
            ++depth;
        } else if (c == ')') {
            if (depth > 0) {
                --depth;
            }
        } else if (depth == 0 && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            slug += c;
        } else if (depth == 0 && c >= 'A' && c <= 'Z') {
            slug += static_cast<char>(c - 'A' + 'a');
        }
    }
    return slug;
}

}  // namespace confcap::schedule

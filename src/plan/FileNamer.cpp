#include "confcap/plan/FileNamer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "confcap/core/Error.h"

namespace confcap::plan {

namespace {

constexpr std::size_t kMaxExtensionBytes = 16;
/// Room kept in a last component for "." + extension, so a stem plus any extension fits.
constexpr std::size_t kStemBudget = kMaxComponentBytes - 1 - kMaxExtensionBytes;

constexpr std::array<std::string_view, 15> kFieldNames = {
    "conference", "acronym", "day",      "date",  "time",    "room", "id", "guid",
    "slug",       "title",   "subtitle", "track", "persons", "lang", "ext"};

const std::string* fieldValue(const NameFields& f, std::string_view name) {
    const std::array<const std::string*, 15> values = {
        &f.conference, &f.acronym, &f.day,      &f.date,  &f.time,    &f.room, &f.id, &f.guid,
        &f.slug,       &f.title,   &f.subtitle, &f.track, &f.persons, &f.lang, &f.ext};
    for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
        if (kFieldNames[i] == name) {
            return values[i];
        }
    }
    return nullptr;
}

std::string knownFieldList() {
    std::string list;
    for (auto name : kFieldNames) {
        if (!list.empty()) {
            list += ", ";
        }
        list += "{" + std::string(name) + "}";
    }
    return list;
}

core::UsageError badPattern(std::string_view pattern, const std::string& problem) {
    return core::UsageError("The name template '" + std::string(pattern) + "' " + problem + ".");
}

/// One piece of a path component in a template: literal text or a field's name.
struct Segment {
    bool field = false;
    std::string text;
};
using ComponentTemplate = std::vector<Segment>;

std::vector<ComponentTemplate> parsePattern(std::string_view pattern) {
    if (pattern.empty()) {
        throw core::UsageError("The name template is empty; give one such as '" +
                               std::string(kDefaultNamePattern) + "'.");
    }
    if (pattern.front() == '/') {
        throw badPattern(pattern, "is an absolute path; it must be relative to the output folder");
    }
    if (pattern.find('\\') != std::string_view::npos) {
        throw badPattern(pattern, "contains '\\'; separate folders with '/'");
    }
    std::vector<ComponentTemplate> components(1);
    std::size_t pos = 0;
    while (pos < pattern.size()) {
        const char c = pattern[pos];
        if (c == '/') {
            components.emplace_back();
            ++pos;
        } else if (c == '{') {
            const auto close = pattern.find('}', pos);
            const auto nextOpen = pattern.find('{', pos + 1);
            if (close == std::string_view::npos || nextOpen < close) {
                throw badPattern(pattern, "has a '{' without a matching '}'");
            }
            const auto name = pattern.substr(pos + 1, close - pos - 1);
            if (std::find(kFieldNames.begin(), kFieldNames.end(), name) == kFieldNames.end()) {
                throw core::UsageError("The name template field '{" + std::string(name) +
                                       "}' is unknown; use one of " + knownFieldList() + ".");
            }
            components.back().push_back({true, std::string(name)});
            pos = close + 1;
        } else if (c == '}') {
            throw badPattern(pattern, "has a '}' without a matching '{'");
        } else {
            const auto end = pattern.find_first_of("/{}", pos);
            const auto text = pattern.substr(pos, end == std::string_view::npos ? end : end - pos);
            if (!components.back().empty() && !components.back().back().field) {
                components.back().back().text += text;
            } else {
                components.back().push_back({false, std::string(text)});
            }
            pos += text.size();
        }
    }
    for (const auto& component : components) {
        if (component.empty()) {
            throw badPattern(pattern, "has an empty folder name ('//' or a trailing '/')");
        }
        if (component.size() == 1 && !component[0].field &&
            (component[0].text == "." || component[0].text == "..")) {
            throw badPattern(pattern,
                             "contains a '.' or '..' folder, which could leave the "
                             "output folder");
        }
        if (!component[0].field && component[0].text.front() == '.') {
            throw badPattern(pattern, "names a hidden file or folder (one starting with '.')");
        }
    }
    return components;
}

/// Decodes one UTF-8 sequence at `pos`; nullopt (and `pos` moved one byte) when invalid.
std::optional<char32_t> decodeUtf8(std::string_view s, std::size_t& pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char lead = byte(pos);
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
        ++pos;
        return lead;
    } else if ((lead & 0xE0) == 0xC0) {
        length = 2;
        cp = lead & 0x1Fu;
        minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        cp = lead & 0x0Fu;
        minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        cp = lead & 0x07u;
        minimum = 0x10000;
    } else {
        ++pos;
        return std::nullopt;
    }
    if (pos + length > s.size()) {
        ++pos;
        return std::nullopt;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char next = byte(pos + i);
        if ((next & 0xC0) != 0x80) {
            ++pos;
            return std::nullopt;
        }
        cp = (cp << 6) | (next & 0x3Fu);
    }
    if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++pos;
        return std::nullopt;
    }
    pos += length;
    return cp;
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool isLineBreakOrTab(char32_t cp) {
    return cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' || cp == '\r' || cp == 0x85 ||
           cp == 0x2028 || cp == 0x2029;
}

/// Controls and invisible direction marks that could hide or reorder what a name shows.
bool isDropped(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool isWindowsReservedChar(char32_t cp) {
    return cp == '<' || cp == '>' || cp == ':' || cp == '"' || cp == '|' || cp == '?' || cp == '*';
}

/// Valid UTF-8 text without separators or control characters. Field values (`trim`) also lose
/// surrounding spaces; literal template text keeps them ("{time} {title}" needs the one between).
std::string sanitizeText(std::string_view in, bool windowsSafe, bool trim) {
    std::string out;
    out.reserve(in.size());
    std::size_t pos = 0;
    while (pos < in.size()) {
        const auto cp = decodeUtf8(in, pos);
        if (!cp) {
            appendUtf8(out, 0xFFFD);
        } else if (isLineBreakOrTab(*cp)) {
            out += ' ';
        } else if (isDropped(*cp)) {
            continue;
        } else if (*cp == '/' || *cp == '\\' || (windowsSafe && isWindowsReservedChar(*cp))) {
            out += '_';
        } else {
            appendUtf8(out, *cp);
        }
    }
    if (!trim) {
        return out;
    }
    const auto first = out.find_first_not_of(' ');
    if (first == std::string::npos) {
        return {};
    }
    return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

/// The longest prefix of valid UTF-8 `s` that fits `bytes` without splitting a character.
void truncateUtf8(std::string& s, std::size_t bytes) {
    if (s.size() <= bytes) {
        return;
    }
    while (bytes > 0 && (static_cast<unsigned char>(s[bytes]) & 0xC0) == 0x80) {
        --bytes;
    }
    s.resize(bytes);
}

/// Shortens the longest field values first, so a long title gives way before the date or time.
std::string joinWithin(std::vector<Segment> parts, std::size_t budget) {
    auto total = [&] {
        std::size_t n = 0;
        for (const auto& p : parts) {
            n += p.text.size();
        }
        return n;
    };
    while (total() > budget) {
        auto longest = std::max_element(parts.begin(), parts.end(), [](auto& a, auto& b) {
            return (a.field ? a.text.size() : 0) < (b.field ? b.text.size() : 0);
        });
        if (!longest->field || longest->text.empty()) {
            break;
        }
        const auto excess = total() - budget;
        truncateUtf8(longest->text,
                     longest->text.size() > excess ? longest->text.size() - excess : 0);
    }
    std::string joined;
    for (const auto& p : parts) {
        joined += p.text;
    }
    truncateUtf8(joined, budget);
    return joined;
}

bool isWindowsReservedName(std::string_view component) {
    auto base = component.substr(0, component.find('.'));
    while (!base.empty() && base.back() == ' ') {
        base.remove_suffix(1);
    }
    std::string upper(base);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
    if (upper == "CON" || upper == "PRN" || upper == "AUX" || upper == "NUL" || upper == "CONIN$" ||
        upper == "CONOUT$") {
        return true;
    }
    return upper.size() == 4 && (upper.starts_with("COM") || upper.starts_with("LPT")) &&
           upper[3] >= '1' && upper[3] <= '9';
}

/// Rules that apply to a whole component: no leading dots, never empty, Windows' own limits,
/// at most `budget` bytes.
std::string finishComponent(std::string component, bool windowsSafe, std::size_t budget) {
    component.erase(0, component.find_first_not_of('.') == std::string::npos
                           ? component.size()
                           : component.find_first_not_of('.'));
    if (windowsSafe) {
        const auto dropTrailingDotsAndSpaces = [&] {
            while (!component.empty() && (component.back() == '.' || component.back() == ' ')) {
                component.pop_back();
            }
        };
        dropTrailingDotsAndSpaces();
        if (isWindowsReservedName(component)) {
            component.insert(0, "_");
            truncateUtf8(component, budget);
            dropTrailingDotsAndSpaces();
        }
    }
    if (component.empty()) {
        component = "_";
    }
    return component;
}

std::vector<Segment> fill(const ComponentTemplate& component, const NameFields& fields,
                          bool windowsSafe) {
    std::vector<Segment> parts;
    for (const auto& segment : component) {
        const auto& raw = segment.field ? *fieldValue(fields, segment.text) : segment.text;
        parts.push_back({segment.field, sanitizeText(raw, windowsSafe, segment.field)});
    }
    return parts;
}

std::filesystem::path build(const NameFields& fields, std::string_view pattern, bool windowsSafe,
                            bool withExtension) {
    const auto components = parsePattern(pattern);
    std::filesystem::path result;
    for (std::size_t i = 0; i < components.size(); ++i) {
        auto parts = fill(components[i], fields, windowsSafe);
        const bool last = i + 1 == components.size();
        const bool trailingExt = last && parts.size() >= 2 && components[i].back().field &&
                                 components[i].back().text == "ext" &&
                                 !parts[parts.size() - 2].field &&
                                 parts[parts.size() - 2].text.ends_with('.');
        std::string component;
        if (trailingExt) {
            auto ext = parts.back().text;
            truncateUtf8(ext, kMaxExtensionBytes);
            parts.pop_back();
            parts.back().text.pop_back();
            component = finishComponent(joinWithin(std::move(parts), kStemBudget), windowsSafe,
                                        kStemBudget);
            if (withExtension && !ext.empty()) {
                component += "." + ext;
                if (windowsSafe) {
                    component =
                        finishComponent(std::move(component), windowsSafe, kMaxComponentBytes);
                }
            }
        } else {
            // A stem's last component leaves room for the extension the sink appends.
            const auto budget = last && !withExtension ? kStemBudget : kMaxComponentBytes;
            component = finishComponent(joinWithin(std::move(parts), budget), windowsSafe, budget);
        }
        result /= component;
    }
    return result;
}

}  // namespace

std::filesystem::path fileNameFor(const NameFields& fields, std::string_view pattern,
                                  bool windowsSafe) {
    return build(fields, pattern, windowsSafe, true);
}

std::filesystem::path fileStemFor(const NameFields& fields, std::string_view pattern,
                                  bool windowsSafe) {
    return build(fields, pattern, windowsSafe, false);
}

}  // namespace confcap::plan

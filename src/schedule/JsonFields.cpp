#include "confcap/schedule/JsonFields.h"

#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <cctype>
#include <charconv>
#include <cstdint>

#include "confcap/core/Text.h"
#include "confcap/schedule/ScheduleParser.h"

namespace confcap::schedule {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Object;

/// Whether a JSON number token fits the type Poco's parser gives it: integers in 64 bits,
/// others in a double. Poco wraps 2^64 to 0, clamps below -2^63 and rejects the whole document
/// for longer numbers.
bool fitsPoco(std::string_view token) {
    const char* first = token.data();
    const char* last = token.data() + token.size();
    if (token.find_first_of(".eE") != std::string_view::npos) {
        double value = 0;
        return std::from_chars(first, last, value).ec == std::errc{};
    }
    if (token.front() == '-') {
        std::int64_t value = 0;
        return std::from_chars(first, last, value).ec == std::errc{};
    }
    std::uint64_t value = 0;
    return std::from_chars(first, last, value).ec == std::errc{};
}

/// `json` with every number that does not fit (an id of 30 digits, say) turned into a string
/// of the same digits, so that one such value cannot be misread or reject the schedule.
std::string withHugeNumbersQuoted(std::string_view json) {
    std::string out;
    out.reserve(json.size());
    bool inString = false;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            out += c;
            if (c == '\\' && i + 1 < json.size()) {
                out += json[++i];
            } else if (c == '"') {
                inString = false;
            }
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t end = i + 1;
            while (end < json.size() &&
                   (std::isdigit(static_cast<unsigned char>(json[end])) || json[end] == '.' ||
                    json[end] == 'e' || json[end] == 'E' || json[end] == '+' || json[end] == '-')) {
                ++end;
            }
            const std::string_view token = json.substr(i, end - i);
            const bool digits = token.find_first_of("0123456789") != std::string_view::npos;
            if (digits && !fitsPoco(token)) {
                out += '"';
                out += token;
                out += '"';
            } else {
                out += token;
            }
            i = end - 1;
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace

Var parseJson(std::string_view bytes) {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    return parser.parse(withHugeNumbersQuoted(bytes));
}

/// A number's text that no 64-bit integer holds, e.g. "18446744073709551616".
bool isIntegerOutOfRange(std::string_view text) noexcept {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc::result_out_of_range && end == text.data() + text.size();
}

bool isObject(const Var& value) {
    return value.type() == typeid(Object::Ptr);
}

/// A scalar as text (numbers too, since ids come as numbers or strings); empty otherwise.
std::string stringOf(const Var& value) {
    if (value.isEmpty()) {
        return {};
    }
    if (value.isString()) {
        return std::string(core::trimmed(value.extract<std::string>()));
    }
    if (value.isNumeric() || value.isBoolean()) {
        return value.convert<std::string>();
    }
    return {};
}

std::string field(const Object& object, const std::string& key) {
    return stringOf(object.get(key));
}

/// A text that may be given per language ({"en": ..., "de": ...}): English, else the first one.
std::string localizedField(const Object& object, const std::string& key) {
    const Var value = object.get(key);
    if (!isObject(value)) {
        return stringOf(value);
    }
    const Object::Ptr texts = value.extract<Object::Ptr>();
    std::string text = field(*texts, "en");
    for (auto it = texts->begin(); text.empty() && it != texts->end(); ++it) {
        text = stringOf(it->second);
    }
    return text;
}

std::optional<bool> boolOf(const Var& value) {
    if (value.isBoolean()) {
        return value.extract<bool>();
    }
    if (value.isInteger()) {
        return value.convert<long long>() != 0;
    }
    return parseScheduleBool(stringOf(value));
}

}  // namespace confcap::schedule

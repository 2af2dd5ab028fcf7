// Reading loosely typed JSON as schedules and the c3voc streaming API write it, where an id may
// be a number or a string, a number may not fit 64 bits, a flag may be "True", and a text may be
// given per language.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <string_view>

namespace confcap::schedule {

/// The JSON document in `bytes`. A number that does not fit the type Poco would give it (an id
/// of 30 digits, say) becomes a string of the same digits instead of being misread or
/// rejecting the document. Throws Poco::Exception when `bytes` is not JSON.
Poco::Dynamic::Var parseJson(std::string_view bytes);

/// A number's text that no 64-bit integer holds, e.g. "18446744073709551616".
bool isIntegerOutOfRange(std::string_view text) noexcept;

/// True when `value` is a JSON object.
bool isObject(const Poco::Dynamic::Var& value);

/// A scalar as text, trimmed (numbers too, since ids come as numbers or strings); empty for
/// anything else.
std::string stringOf(const Poco::Dynamic::Var& value);

/// stringOf() of `object[key]`.
std::string field(const Poco::JSON::Object& object, const std::string& key);

/// A flag: a JSON bool, an integer (non-zero is true) or a text such as "True" or "no";
/// nullopt for anything else.
std::optional<bool> boolOf(const Poco::Dynamic::Var& value);

/// A text that may be given per language ({"en": ..., "de": ...}): English, else the first one.
std::string localizedField(const Poco::JSON::Object& object, const std::string& key);

}  // namespace confcap::schedule

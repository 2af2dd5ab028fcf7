// Naming of recordings: a user's name template filled with a talk's fields, every value made safe
// for a file system, so that a recording's path always stays inside the output folder.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace confcap::plan {

/// The values a name template may use, as plain text (any bytes; sanitized when used).
/// `date` and `time` are already formatted by the caller in the zone it chose.
struct NameFields {
    std::string conference, acronym, day, date, time, room, id, guid, slug, title, subtitle, track,
        persons, lang, ext;
};

/// The name template used when the user gives none.
inline constexpr std::string_view kDefaultNamePattern = "{date}/{room}/{time} {title}.{ext}";

/// Longest path component fileNameFor produces, in bytes. Leaves room under the usual 255-byte
/// limit for the suffixes a sink adds (" (2)", ".part", ".part.json", ".part3.webm").
inline constexpr std::size_t kMaxComponentBytes = 200;

/// The recording's path relative to the output folder: `pattern` with each "{field}" replaced by
/// the sanitized value. Pure. Every component is valid UTF-8 (bad bytes become U+FFFD), free of
/// '/', '\\' and control or bidi-override characters, does not start with '.', is never empty
/// ("_" instead) and is at most kMaxComponentBytes long (long values are shortened, a trailing
/// ".{ext}" is kept). `windowsSafe` also replaces <>:"|?*, trailing dots and spaces and reserved
/// device names (CON, NUL, COM1...). Throws core::UsageError naming the problem when `pattern`
/// holds an unknown field such as "{speker}", an unclosed brace, an absolute path, an empty
/// component, or a "." or ".." component.
std::filesystem::path fileNameFor(const NameFields& fields, std::string_view pattern,
                                  bool windowsSafe);

/// fileNameFor without the pattern's trailing ".{ext}", for a sink that learns the extension
/// only when data arrives: `fileStemFor(f, p, w)` + "." + ext equals `fileNameFor(f, p, w)` for
/// an extension of up to 16 plain bytes ("ts", "webm"). The last component always leaves room
/// for "." and such an extension, also when the pattern has no ".{ext}". Pure; throws like
/// fileNameFor.
std::filesystem::path fileStemFor(const NameFields& fields, std::string_view pattern,
                                  bool windowsSafe);

}  // namespace confcap::plan

// What the readers of the favourites formats share (FavouritesRead.cpp reads the formats,
// FavouritesCalendar.cpp iCalendar).
#pragma once

#include <string>
#include <string_view>

#include "confcap/select/Favourites.h"

namespace confcap::select::favourites {

/// Whether `text` starts with `prefix`, ignoring ASCII case.
bool startsWithNoCase(std::string_view text, std::string_view prefix);

/// An http:// or https:// URL.
bool isUrl(std::string_view text);

/// 8-4-4-4-12 hex digits.
bool looksLikeUuid(std::string_view text);

/// A value that names a talk without saying how (an id list's line, a Giggity item): a guid when
/// it has a guid's shape, else an id, code or slug (and a legacy guid, which need not look like
/// one); a URL as a URL.
Favourite namedBy(std::string_view value, std::string where);

/// Throws core::ScheduleError: "The favourites list SOURCE cannot be read: WHY."
[[noreturn]] void refuse(const std::string& source, const std::string& why);

/// Reads an iCalendar file (RFC 5545): each VEVENT's UID, URL, DTSTART and SUMMARY.
FavouriteList readICalendar(std::string_view text, const std::string& source);

}  // namespace confcap::select::favourites

// Names close to one a person wrote: what selection errors and the favourites report suggest
// when a room, track, day or talk is not in the schedule.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace confcap::select {

/// `text` in single quotes, as the messages quote names.
std::string singleQuoted(std::string_view text);

/// `text` in ASCII lower case. Pure.
std::string lowered(std::string_view text);

/// Edits (insert, delete, replace a byte) that turn `a` into `b`, ignoring ASCII case. Pure.
std::size_t editDistance(std::string_view a, std::string_view b);

/// "'a', 'b' and 'c'": at most `limit` names, then "and N more"; without `quote`, "a, b and c".
/// Pure.
std::string nameList(const std::vector<std::string>& names, std::size_t limit, bool quote = true);

/// The `limit` names of `known` closest to `value`: those sharing the most words with it first,
/// then by edit distance; ties keep the order of `known`. Empty when `known` is. Pure.
std::vector<std::string> closestNames(std::string_view value, const std::vector<std::string>& known,
                                      std::size_t limit);

}  // namespace confcap::select

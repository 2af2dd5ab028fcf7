// Shards: the rooms of a conference split among N recorders that share one configuration and
// never talk to each other. A room belongs to the shard whose weight for it is highest
// (rendezvous or highest-random-weight hashing), so going from N to N+1 shards moves only the
// rooms the new shard wins, about 1/(N+1) of them. Pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "confcap/schedule/Schedule.h"

namespace confcap::plan {

/// Shard `index` of `count`, both counted from 1 as the user writes them ("2/3").
struct Shard {
    int index = 1;
    int count = 1;
    bool operator==(const Shard&) const = default;
};

/// The most shards confcap splits rooms among.
constexpr int kMaxShards = 1000;

/// Parses `--shard K/N` (1 <= K <= N <= kMaxShards). Throws core::UsageError, one sentence
/// naming the value, for anything else.
Shard parseShard(std::string_view value);

/// Parses `--shards N` (1 <= N <= kMaxShards). Throws core::UsageError like parseShard.
int parseShardCount(std::string_view value);

/// "2/3".
std::string toString(const Shard& shard);

/// What a room is hashed by: its guid, or its name where the schedule gives it no guid.
std::string shardKey(const schedule::Room& room);
/// The same for a talk's room when only the talk is at hand.
std::string shardKey(const schedule::Talk& talk);

/// The weight of shard `index` (1-based) for a room key: the 64-bit FNV-1a hash of
/// "KEY|INDEX" (INDEX in decimal), mixed by the splitmix64 finalizer so that every bit of the
/// key reaches every bit of the weight.
std::uint64_t shardWeight(std::string_view key, int index);

/// The shard (1-based) of `count` that records the room with this key: the one of highest
/// weight, the lowest index on a tie.
int shardOf(std::string_view key, int count);

}  // namespace confcap::plan

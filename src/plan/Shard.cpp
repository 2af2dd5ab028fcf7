#include "confcap/plan/Shard.h"

#include <charconv>

#include "confcap/core/Error.h"

namespace confcap::plan {

namespace {

/// The whole of `text` as a number in [1, kMaxShards], or 0.
int shardNumber(std::string_view text) {
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value < 1 || value > kMaxShards) {
        return 0;
    }
    return value;
}

}  // namespace

Shard parseShard(std::string_view value) {
    const auto slash = value.find('/');
    const int index = slash == std::string_view::npos ? 0 : shardNumber(value.substr(0, slash));
    const int count = slash == std::string_view::npos ? 0 : shardNumber(value.substr(slash + 1));
    if (index == 0 || count == 0 || index > count) {
        throw core::UsageError("--shard '" + std::string(value) +
                               "' is not a shard; write it as K/N with 1 <= K <= N <= " +
                               std::to_string(kMaxShards) + ", e.g. 2/3.");
    }
    return {index, count};
}

int parseShardCount(std::string_view value) {
    const int count = shardNumber(value);
    if (count == 0) {
        throw core::UsageError("--shards '" + std::string(value) +
                               "' is not a number of shards from 1 to " +
                               std::to_string(kMaxShards) + ".");
    }
    return count;
}

std::string toString(const Shard& shard) {
    return std::to_string(shard.index) + "/" + std::to_string(shard.count);
}

std::string shardKey(const schedule::Room& room) {
    return room.guid.empty() ? room.name : room.guid;
}

std::string shardKey(const schedule::Talk& talk) {
    return talk.roomGuid.empty() ? talk.room : talk.roomGuid;
}

std::uint64_t shardWeight(std::string_view key, int index) {
    constexpr std::uint64_t kOffset = 14695981039346656037ULL;
    constexpr std::uint64_t kPrime = 1099511628211ULL;
    std::uint64_t hash = kOffset;
    const auto add = [&](std::string_view bytes) {
        for (const char c : bytes) {
            hash ^= static_cast<unsigned char>(c);
            hash *= kPrime;
        }
    };
    add(key);
    add("|");
    add(std::to_string(index));
    // splitmix64's finalizer: FNV-1a alone leaves the high bits weakly mixed for keys that
    // differ only in their last bytes, as "KEY|1" and "KEY|2" do.
    hash ^= hash >> 30;
    hash *= 0xbf58476d1ce4e5b9ULL;
    hash ^= hash >> 27;
    hash *= 0x94d049bb133111ebULL;
    hash ^= hash >> 31;
    return hash;
}

int shardOf(std::string_view key, int count) {
    int best = 1;
    std::uint64_t bestWeight = shardWeight(key, 1);
    for (int index = 2; index <= count; ++index) {
        const auto weight = shardWeight(key, index);
        if (weight > bestWeight) {
            best = index;
            bestWeight = weight;
        }
    }
    return best;
}

}  // namespace confcap::plan

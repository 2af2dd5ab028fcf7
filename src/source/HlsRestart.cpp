#include "confcap/source/HlsRestart.h"

#include <algorithm>
#include <filesystem>

#include "confcap/media/TsPackets.h"
#include "confcap/source/HlsPlaylist.h"

namespace confcap::source {

namespace {

// Enough of a segment's start to hold its first PES packets after the tables.
constexpr std::size_t kSegmentHead = 64 * 1024;

fetch::HttpRequest requestFor(const std::string& url, std::chrono::milliseconds timeout) {
    fetch::HttpRequest request;
    request.url = url;
    request.connectTimeout = timeout;
    request.readTimeout = timeout;
    return request;
}

HlsPlaylist readPlaylist(fetch::HttpClient& client, const std::string& url,
                         std::chrono::milliseconds timeout) {
    const auto response = client.get(requestFor(url, timeout));
    return parseHlsPlaylist(response.body, response.finalUrl);
}

/// The first timestamp of a segment: of its first video PES, else of its first one.
std::optional<std::int64_t> firstTicksOf(fetch::HttpClient& client, const HlsSegment& segment,
                                         std::chrono::milliseconds timeout) {
    auto request = requestFor(segment.uri, timeout);
    const std::uint64_t from = segment.byteLength ? segment.byteOffset : 0;
    const std::uint64_t length = segment.byteLength
                                     ? std::min<std::uint64_t>(*segment.byteLength, kSegmentHead)
                                     : kSegmentHead;
    request.headers.emplace_back(
        "Range", "bytes=" + std::to_string(from) + "-" + std::to_string(from + length - 1));
    const auto stream = client.open(request);
    std::string head;
    std::vector<char> buffer(kSegmentHead);
    while (head.size() < length) {
        const auto n = stream->read(buffer.data(), buffer.size());
        if (n == 0) {
            break;
        }
        head.append(buffer.data(), n);
    }
    head.resize(std::min<std::size_t>(head.size(), length));
    std::optional<std::int64_t> first;
    std::optional<std::int64_t> video;
    media::TsPacketizer packets;
    packets.feed(head, [&](std::string_view packet) {
        if (const auto found = media::pesTimestamp(packet)) {
            if (!first) {
                first = found->ticks;
            }
            if (!video && found->video()) {
                video = found->ticks;
            }
        }
    });
    return video ? video : first;
}

}  // namespace

std::optional<ResumePoint> resumePoint(
    std::size_t count, std::int64_t lastTicks,
    const std::function<std::optional<std::int64_t>(std::size_t)>& firstTicks) {
    bool readAny = false;
    for (std::size_t i = count; i-- > 0;) {
        const auto ticks = firstTicks(i);
        if (!ticks) {
            continue;
        }
        readAny = true;
        if (media::pesTicksBetween(lastTicks, *ticks) <= 0) {
            return ResumePoint{i, true};
        }
    }
    return readAny ? std::optional<ResumePoint>(ResumePoint{0, false}) : std::nullopt;
}

std::optional<HlsRestart> findHlsRestart(fetch::HttpClient& client, const std::string& url,
                                         std::int64_t lastTicks,
                                         std::chrono::milliseconds timeout) noexcept {
    try {
        auto playlist = readPlaylist(client, url, timeout);
        if (!playlist.variants.empty()) {
            const auto best = std::max_element(
                playlist.variants.begin(), playlist.variants.end(),
                [](const HlsVariant& a, const HlsVariant& b) { return a.bandwidth < b.bandwidth; });
            playlist = readPlaylist(client, best->uri, timeout);
        }
        const auto& segments = playlist.segments;
        if (segments.empty() || playlist.endList) {
            return std::nullopt;
        }
        const auto point = resumePoint(segments.size(), lastTicks, [&](std::size_t i) {
            try {
                return firstTicksOf(client, segments[i], timeout);
            } catch (const std::exception&) {
                return std::optional<std::int64_t>();
            }
        });
        if (!point) {
            return std::nullopt;
        }
        return HlsRestart{point->index, segments[point->index].sequence, point->overlaps};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<RecorderCommand> startingAt(const RecorderCommand& command, std::size_t index) {
    const auto& args = command.arguments;
    if (args.empty() || std::filesystem::path(args.front()).filename() != "ffmpeg" ||
        std::find(args.begin(), args.end(), "-live_start_index") != args.end()) {
        return std::nullopt;
    }
    for (std::size_t i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == "-i" && args[i + 1].find("{url}") != std::string::npos) {
            auto started = command;
            started.arguments.insert(started.arguments.begin() + static_cast<std::ptrdiff_t>(i),
                                     {"-live_start_index", std::to_string(index)});
            return started;
        }
    }
    return std::nullopt;
}

}  // namespace confcap::source

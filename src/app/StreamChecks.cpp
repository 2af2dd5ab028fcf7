#include "confcap/app/StreamChecks.h"

#include <future>
#include <map>
#include <utility>

namespace confcap::app {

std::vector<RoomStreamCheck> checkRoomStreams(
    const plan::Plan& plan, const source::StreamCheckOptions& options,
    std::optional<std::pair<core::Instant, core::Instant>> window) {
    std::map<std::pair<std::string, std::string>, std::future<source::StreamCheck>> pending;
    for (const auto& job : plan.jobs) {
        if (window && (job.until <= window->first || job.from >= window->second)) {
            continue;
        }
        const auto key = std::make_pair(job.talk.room, job.stream);
        if (pending.count(key) == 0) {
            pending.emplace(key, std::async(std::launch::async, [url = job.stream, options] {
                                return source::checkStream(url, options);
                            }));
        }
    }
    std::vector<RoomStreamCheck> checks;
    checks.reserve(pending.size());
    for (auto& [key, future] : pending) {
        checks.push_back({key.first, key.second, future.get()});
    }
    return checks;
}

}  // namespace confcap::app

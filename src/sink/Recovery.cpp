#include "confcap/sink/Recovery.h"

#include <algorithm>
#include <string_view>

#include "confcap/core/Text.h"
#include "confcap/sink/TalkSink.h"

namespace confcap::sink {

namespace {

constexpr std::string_view kListSuffix = ".part.json";

}  // namespace

std::vector<FinalizeResult> recoverLeftovers(
    const std::filesystem::path& outDir, const PieceMerger& merger,
    const std::function<bool(const std::filesystem::path& stem)>& keep,
    std::optional<Container> container, bool nfo) {
    std::vector<FinalizeResult> results;
    std::error_code ec;
    if (!std::filesystem::is_directory(outDir, ec)) {
        return results;
    }
    std::vector<std::filesystem::path> lists;
    std::filesystem::recursive_directory_iterator it(
        outDir, std::filesystem::directory_options::skip_permission_denied, ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (it->is_directory(ec)) {
            if (name.starts_with('.')) {
                it.disable_recursion_pending();
            }
        } else if (name.size() > kListSuffix.size() && name.ends_with(kListSuffix) &&
                   it->is_regular_file(ec)) {
            lists.push_back(it->path());
        }
    }
    std::sort(lists.begin(), lists.end());
    for (const auto& path : lists) {
        auto leaf = path.filename().string();
        leaf.resize(leaf.size() - kListSuffix.size());
        const auto folder = path.parent_path().lexically_relative(outDir);
        const auto stem =
            folder.empty() || folder == "." ? std::filesystem::path(leaf) : folder / leaf;
        if (keep && keep(stem)) {
            continue;
        }
        try {
            TalkSinkConfig config;
            config.outDir = outDir;
            config.relativeStem = stem;
            config.adoptPartList = true;
            config.container = container;
            config.nfo = nfo;
            TalkSink sink(std::move(config), TalkSink::defaultClock(), merger);
            if (sink.continued()) {
                results.push_back(sink.finalize("recovered after a restart"));
            }
        } catch (const PartSetInUse&) {
            continue;
        } catch (const std::exception& e) {
            FinalizeResult failed;
            failed.outcome = core::Outcome::Failed;
            failed.reason = "failed: " + core::clause(e.what());
            failed.relativeStem = stem;
            results.push_back(std::move(failed));
        }
    }
    return results;
}

}  // namespace confcap::sink

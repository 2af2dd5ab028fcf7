#include "confcap/sink/PublishPlan.h"

#include <algorithm>
#include <stdexcept>

namespace confcap::sink {

namespace {

PieceStep pieceStep(const std::filesystem::path& folder, const std::string& leaf,
                    const PieceOnDisk& source, std::size_t n, std::size_t count) {
    const PartPiece& piece = source.piece;
    const PartTrack& main = piece.tracks.front();
    PieceStep step;
    step.file = source.files.front();
    step.format = main.format;
    std::vector<PieceMerger::MuxInput> inputs = {{source.files.front(), {}, {}}};
    for (std::size_t t = 1; t < piece.tracks.size(); ++t) {
        const auto& track = piece.tracks[t];
        if (source.bytes.at(t) == 0) {
            continue;
        }
        inputs.push_back({source.files.at(t), track.name, track.language});
        step.unmuxed.push_back(
            {source.files.at(t), "." + renditionSuffix(track) +
                                     (count > 1 ? ".part" + std::to_string(n + 1) : std::string()) +
                                     "." + track.format.extension});
    }
    if (inputs.size() > 1) {
        step.mux = std::move(inputs);
        step.muxed = folder / (leaf + "." + main.format.extension + ".mux" + std::to_string(n + 1) +
                               ".part");
    }
    return step;
}

JoinStep joinStep(const std::filesystem::path& folder, const std::string& leaf,
                  const std::vector<PieceOnDisk>& pieces) {
    JoinStep join;
    join.extension = pieces.front().piece.tracks.front().format.extension;
    std::string formats;
    bool oneFormat = true;
    for (std::size_t n = 0; n < pieces.size(); ++n) {
        const auto& piece = pieces[n].piece;
        const auto& extension = piece.tracks.front().format.extension;
        join.rebase = join.rebase || (n > 0 && piece.newTimeline);
        oneFormat = oneFormat && extension == join.extension;
        formats += (formats.empty() ? "" : ", ") + extension;
        join.apartSuffixes.push_back(".part" + std::to_string(n + 1) + "." + extension);
    }
    if (pieces.size() == 1) {
        join.kind = JoinStep::Kind::One;
    } else if (oneFormat) {
        join.kind = JoinStep::Kind::Merge;
        join.merged = folder / (leaf + "." + join.extension + ".merge.part");
    } else {
        join.kind = JoinStep::Kind::Apart;
        join.note = "The pieces have different formats (" + formats +
                    "), so they are kept as separate files.";
    }
    return join;
}

TagStep tagStep(const std::filesystem::path& folder, const std::string& leaf,
                const std::string& extension, Container container, bool tags) {
    TagStep tag;
    tag.container = container;
    if (!tags) {
        return tag;
    }
    tag.extension = extensionIn(container, extension);
    tag.apartNote =
        "The pieces are kept as separate files, so they hold no tags" +
        std::string(container == Container::AsRecorded
                        ? ""
                        : " and were not remuxed to " + std::string(toString(container))) +
        ".";
    if (container == Container::AsRecorded && extension == "ts") {
        tag.kind = TagStep::Kind::ServiceInPlace;
    } else {
        tag.kind = TagStep::Kind::Remux;
        tag.tagged = folder / (leaf + "." + tag.extension + ".tag.part");
    }
    return tag;
}

}  // namespace

PublishPlan planPublish(const std::filesystem::path& folder, const std::string& leaf,
                        const std::vector<PieceOnDisk>& pieces, Container container, bool tags) {
    if (pieces.empty()) {
        throw std::invalid_argument("planPublish needs a piece to publish");
    }
    PublishPlan plan;
    for (std::size_t n = 0; n < pieces.size(); ++n) {
        plan.pieces.push_back(pieceStep(folder, leaf, pieces[n], n, pieces.size()));
    }
    plan.join = joinStep(folder, leaf, pieces);
    plan.tag = tagStep(folder, leaf, plan.join.extension, container, tags);
    return plan;
}

std::string renditionSuffix(const PartTrack& track) {
    std::string language;
    for (char c : track.language) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
            language += c;
        } else if (c >= 'A' && c <= 'Z') {
            language += static_cast<char>(c - 'A' + 'a');
        }
    }
    return language.empty() || language.size() > 16 ? "audio" + std::to_string(track.track)
                                                    : "audio-" + language;
}

std::string candidateStem(const std::string& leaf, int n) {
    return n == 1 ? leaf : leaf + " (" + std::to_string(n) + ")";
}

}  // namespace confcap::sink

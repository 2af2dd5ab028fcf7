#include "confcap/sink/PartSet.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "confcap/core/FileIo.h"

namespace confcap::sink {

namespace {

using TimePoint = std::chrono::system_clock::time_point;
using std::chrono::milliseconds;

constexpr std::string_view kListSuffix = ".part.json";
// Version 1 lists kept one file per piece; version 2 keeps tracks per piece.
constexpr int kListVersion = 2;
constexpr int kMaxNameAttempts = 10000;

std::int64_t toMillis(TimePoint t) {
    return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

TimePoint fromMillis(std::int64_t ms) {
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(milliseconds(ms)));
}

std::string quoted(const std::filesystem::path& path) {
    return "\"" + path.string() + "\"";
}

Poco::JSON::Object::Ptr newObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

/// The extension as a file name part: letters and digits only, at most 16, "bin" when none.
std::string safeExtension(std::string_view extension) {
    std::string out;
    for (char c : extension) {
        if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) &&
            out.size() < 16) {
            out += c;
        }
    }
    return out.empty() ? "bin" : out;
}

std::uint64_t fileSize(const std::filesystem::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && st.st_size > 0 ? static_cast<std::uint64_t>(st.st_size)
                                                            : 0;
}

Poco::JSON::Array::Ptr gapsJson(const std::vector<RecordedGap>& gaps) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& g : gaps) {
        auto object = newObject();
        object->set("atMs", toMillis(g.at));
        object->set("lengthMs", static_cast<std::int64_t>(g.length.count()));
        object->set("cause", g.cause);
        if (!g.detail.empty()) {
            object->set("detail", g.detail);
        }
        if (g.firstSequence) {
            object->set("firstSequence", *g.firstSequence);
        }
        if (g.lastSequence) {
            object->set("lastSequence", *g.lastSequence);
        }
        array->add(object);
    }
    return array;
}

Poco::JSON::Object::Ptr variantJson(const core::VariantInfo& variant) {
    auto object = newObject();
    object->set("width", variant.width);
    object->set("height", variant.height);
    object->set("bandwidth", variant.bandwidth);
    return object;
}

core::VariantInfo variantFrom(const Poco::JSON::Object::Ptr& object) {
    core::VariantInfo variant;
    if (object) {
        variant.width = object->optValue<int>("width", 0);
        variant.height = object->optValue<int>("height", 0);
        variant.bandwidth = object->optValue<std::int64_t>("bandwidth", 0);
    }
    return variant;
}

Poco::JSON::Array::Ptr variantsJson(const std::vector<RecordedSwitch>& switches) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& v : switches) {
        auto object = newObject();
        object->set("atMs", toMillis(v.at));
        object->set("from", variantJson(v.from));
        object->set("to", variantJson(v.to));
        object->set("why", v.why);
        array->add(object);
    }
    return array;
}

}  // namespace

Poco::JSON::Array::Ptr segmentsJson(const std::vector<SegmentMark>& segments) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& mark : segments) {
        Poco::JSON::Array::Ptr entry = new Poco::JSON::Array;
        entry->add(mark.sequence);
        entry->add(static_cast<Poco::UInt64>(mark.offset));
        entry->add(std::round(mark.seconds * 1000.0) / 1000.0);
        array->add(entry);
    }
    return array;
}

std::vector<SegmentMark> segmentsFrom(const Poco::JSON::Array& array) {
    std::vector<SegmentMark> segments;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const auto mark = array.getArray(static_cast<unsigned>(i));
        if (mark && mark->size() >= 3) {
            segments.push_back({mark->getElement<std::int64_t>(0),
                                mark->getElement<std::uint64_t>(1), mark->getElement<double>(2)});
        }
    }
    return segments;
}

namespace {

PartTrack trackFrom(const Poco::JSON::Object& object) {
    PartTrack track;
    track.track = object.optValue<int>("track", 0);
    track.file = object.optValue<std::string>("file", "");
    track.format.extension = object.optValue<std::string>("extension", "");
    track.format.concatSafe = object.optValue<bool>("concatSafe", true);
    track.name = object.optValue<std::string>("name", "");
    track.language = object.optValue<std::string>("language", "");
    if (const auto segments = object.getArray("segments")) {
        track.segments = segmentsFrom(*segments);
    }
    return track;
}

}  // namespace

std::filesystem::path PartSet::listPathFor(const std::filesystem::path& outDir,
                                           const std::filesystem::path& stem) {
    auto path = outDir / stem;
    path += std::string(kListSuffix);
    return path;
}

PartSet::PartSet(std::filesystem::path outDir, std::filesystem::path stem)
    : outDir_(std::move(outDir)), stem_(std::move(stem)) {
    folder_ = (outDir_ / stem_).parent_path();
    leaf_ = stem_.filename().string();
    listPath_ = listPathFor(outDir_, stem_);
    load();
}

PartSet::~PartSet() {
    closeFiles();
    release();
}

void PartSet::release() noexcept {
    if (lockFd_ >= 0) {
        ::close(lockFd_);
        lockFd_ = -1;
    }
}

void PartSet::load() {
    std::error_code ec;
    if (!std::filesystem::exists(listPath_, ec)) {
        return;
    }
    std::ifstream in(listPath_, std::ios::binary);
    if (!in) {
        throw core::OutputError("Could not read the part list " + quoted(listPath_) + ".");
    }
    std::ostringstream text;
    text << in.rdbuf();
    Poco::JSON::Object::Ptr object;
    try {
        Poco::JSON::Parser parser;
        const auto value = parser.parse(text.str());
        if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
            object = value.extract<Poco::JSON::Object::Ptr>();
        }
    } catch (const Poco::Exception& e) {
        throw core::OutputError("The part list " + quoted(listPath_) + " is damaged (" +
                                e.displayText() + "); move it away to record this talk again.");
    }
    const int version = object ? object->optValue<int>("confcapPartSet", 0) : 0;
    if (version < 1 || version > kListVersion) {
        return;  // not a part list of ours
    }
    try {
        list_.streamUrl = object->optValue<std::string>("streamUrl", "");
        list_.windowStart = fromMillis(object->optValue<std::int64_t>("windowStartMs", 0));
        list_.windowEnd = fromMillis(object->optValue<std::int64_t>("windowEndMs", 0));
        list_.minBytes = object->optValue<std::uint64_t>("minBytes", 0);
        list_.minDuration =
            std::chrono::seconds(object->optValue<std::int64_t>("minDurationSeconds", 0));
        if (const auto talk = object->getObject("talk")) {
            list_.talk = talkMetadataFrom(*talk);
        }
        const auto pieces = object->getArray("pieces");
        for (std::size_t i = 0; pieces && i < pieces->size(); ++i) {
            const auto entry = pieces->getObject(static_cast<unsigned>(i));
            if (!entry) {
                continue;
            }
            PartPiece piece;
            piece.newTimeline = entry->optValue<bool>("newTimeline", false);
            if (const auto tracks = entry->getArray("tracks")) {
                for (std::size_t t = 0; t < tracks->size(); ++t) {
                    if (const auto track = tracks->getObject(static_cast<unsigned>(t))) {
                        piece.tracks.push_back(trackFrom(*track));
                    }
                }
            } else {
                piece.tracks.push_back(trackFrom(*entry));  // a version 1 piece: one file
            }
            std::erase_if(piece.tracks, [&](const PartTrack& track) {
                return track.file.empty() || track.file.find('/') != std::string::npos ||
                       !std::filesystem::exists(pathOf(track), ec);
            });
            if (!piece.tracks.empty() && piece.tracks.front().track == 0) {
                list_.pieces.push_back(std::move(piece));
            }
        }
        auto& progress = list_.progress;
        progress.coveredSeconds = object->optValue<double>("coveredSeconds", 0.0);
        progress.measured = object->optValue<bool>("measured", false);
        progress.reconnects = object->optValue<int>("reconnects", 0);
        progress.droppedBytes = object->optValue<std::uint64_t>("droppedBytes", 0);
        progress.diskFullTime = milliseconds(object->optValue<std::int64_t>("diskFullMs", 0));
        progress.diskFullEpisodes = object->optValue<int>("diskFullEpisodes", 0);
        progress.writeFailure = object->optValue<std::string>("writeFailure", "");
        if (const auto gaps = object->getArray("gaps")) {
            for (std::size_t i = 0; i < gaps->size(); ++i) {
                const auto g = gaps->getObject(static_cast<unsigned>(i));
                RecordedGap gap;
                gap.at = fromMillis(g->optValue<std::int64_t>("atMs", 0));
                gap.offset = std::chrono::duration_cast<milliseconds>(gap.at - list_.windowStart);
                gap.length = milliseconds(g->optValue<std::int64_t>("lengthMs", 0));
                gap.cause = g->optValue<std::string>("cause", "");
                gap.detail = g->optValue<std::string>("detail", "");
                if (g->has("firstSequence")) {
                    gap.firstSequence = g->getValue<std::int64_t>("firstSequence");
                }
                if (g->has("lastSequence")) {
                    gap.lastSequence = g->getValue<std::int64_t>("lastSequence");
                }
                progress.gaps.push_back(std::move(gap));
            }
        }
        if (const auto variants = object->getArray("variants")) {
            for (std::size_t i = 0; i < variants->size(); ++i) {
                const auto v = variants->getObject(static_cast<unsigned>(i));
                if (!v) {
                    continue;
                }
                RecordedSwitch change;
                change.at = fromMillis(v->optValue<std::int64_t>("atMs", 0));
                change.offset =
                    std::chrono::duration_cast<milliseconds>(change.at - list_.windowStart);
                change.from = variantFrom(v->getObject("from"));
                change.to = variantFrom(v->getObject("to"));
                change.why = v->optValue<std::string>("why", "");
                progress.variants.push_back(std::move(change));
            }
        }
        if (object->has("firstDataMs")) {
            list_.firstData = fromMillis(object->getValue<std::int64_t>("firstDataMs"));
        }
        if (object->has("lastDataMs")) {
            list_.lastData = fromMillis(object->getValue<std::int64_t>("lastDataMs"));
        }
        if (const auto notes = object->getArray("notes")) {
            for (std::size_t i = 0; i < notes->size(); ++i) {
                list_.notes.push_back(notes->getElement<std::string>(static_cast<unsigned>(i)));
            }
        }
        if (const auto resume = object->getArray("resume")) {
            for (std::size_t i = 0; i < resume->size(); ++i) {
                const auto r = resume->getObject(static_cast<unsigned>(i));
                list_.resume.push_back({r->optValue<int>("track", 0),
                                        r->optValue<std::int64_t>("nextSequence", 0),
                                        r->optValue<std::string>("lastUri", "")});
            }
        }
    } catch (const Poco::Exception& e) {
        throw core::OutputError("The part list " + quoted(listPath_) + " is damaged (" +
                                e.displayText() + "); move it away to record this talk again.");
    }
    if (list_.pieces.empty()) {
        std::filesystem::remove(listPath_, ec);
        list_ = PartList{};
        return;
    }
    lockFd_ = ::open(pathOf(list_.pieces.front().tracks.front()).c_str(), O_RDONLY | O_CLOEXEC);
    if (lockFd_ < 0 || ::flock(lockFd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        release();
        list_ = PartList{};
        if (error == EWOULDBLOCK) {
            throw PartSetInUse("The recording " + quoted(outDir_ / stem_) +
                               " is still being written by another sink.");
        }
        throw core::OutputError("Could not open " + quoted(listPath_) +
                                "'s first piece: " + std::strerror(error) + ".");
    }
    loaded_ = true;
}

int PartSet::create(const std::string& name) {
    return ::open((folder_ / name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
}

void PartSet::openPiece(const core::StreamFormat& format, bool newTimeline) {
    closeFiles();
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    if (ec) {
        throw core::OutputError("Could not create the folder " + quoted(folder_) + ": " +
                                ec.message() + ".");
    }
    PartPiece piece;
    piece.newTimeline = newTimeline && !list_.pieces.empty();
    PartTrack main;
    main.format = {safeExtension(format.extension), format.concatSafe};
    int fd = -1;
    for (std::size_t index = list_.pieces.size() + 1;; ++index) {
        main.file = leaf_ + "." + main.format.extension + ".part" +
                    (index > 1 ? std::to_string(index) : std::string());
        fd = create(main.file);
        if (fd >= 0) {
            break;
        }
        const int error = errno;
        if (error != EEXIST || index > list_.pieces.size() + kMaxNameAttempts) {
            throw core::OutputError("Could not create " + quoted(pathOf(main)) + ": " +
                                    std::strerror(error) + ".");
        }
    }
    if (lockFd_ < 0) {
        lockFd_ = ::open(pathOf(main).c_str(), O_RDONLY | O_CLOEXEC);
        if (lockFd_ >= 0) {
            ::flock(lockFd_, LOCK_EX | LOCK_NB);
        }
    }
    files_[0] = fd;
    piece.tracks.push_back(std::move(main));
    list_.pieces.push_back(std::move(piece));
}

void PartSet::openTrack(const core::TrackInfo& info, const core::StreamFormat& format) {
    if (list_.pieces.empty() || files_.count(0) == 0) {
        throw std::logic_error("PartSet::openTrack before openPiece");
    }
    auto& piece = list_.pieces.back();
    const core::StreamFormat safe{safeExtension(format.extension), format.concatSafe};
    for (const auto& track : piece.tracks) {
        if (track.track == info.index && track.format.extension == safe.extension &&
            files_.count(info.index) > 0) {
            return;
        }
    }
    if (const auto open = files_.find(info.index); open != files_.end()) {
        ::close(open->second);
        files_.erase(open);
    }
    PartTrack track;
    track.track = info.index;
    track.format = safe;
    track.name = info.name;
    track.language = info.language;
    const std::size_t index = list_.pieces.size();
    int fd = -1;
    for (std::size_t attempt = 0;; ++attempt) {
        track.file = leaf_ + ".a" + std::to_string(info.index) + "." + safe.extension + ".part" +
                     (index > 1 ? std::to_string(index) : std::string()) +
                     (attempt > 0 ? "-" + std::to_string(attempt) : std::string());
        fd = create(track.file);
        if (fd >= 0) {
            break;
        }
        const int error = errno;
        if (error != EEXIST || attempt > kMaxNameAttempts) {
            throw core::OutputError("Could not create " + quoted(pathOf(track)) + ": " +
                                    std::strerror(error) + ".");
        }
    }
    files_[info.index] = fd;
    piece.tracks.push_back(std::move(track));
}

int PartSet::append(int track, std::string_view bytes, std::size_t& written) {
    written = 0;
    const auto open = files_.find(track);
    if (open == files_.end()) {
        throw std::logic_error("PartSet::append to a track without a file");
    }
    const int fd = open->second;
    const auto start = ::lseek(fd, 0, SEEK_CUR);
    const char* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const auto n = ::write(fd, data, left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int error = errno;
            // A chunk is written whole or not at all: a later retry must not follow half of it.
            if (start >= 0 && ::ftruncate(fd, start) == 0 &&
                ::lseek(fd, start, SEEK_SET) == start) {
                written = 0;
            }
            return error;
        }
        data += n;
        left -= static_cast<std::size_t>(n);
        written += static_cast<std::size_t>(n);
    }
    return 0;
}

int PartSet::appendSegment(int track, std::string_view bytes, std::int64_t sequence, double seconds,
                           std::size_t& written) {
    const auto open = files_.find(track);
    if (open == files_.end()) {
        throw std::logic_error("PartSet::append to a track without a file");
    }
    const auto at = ::lseek(open->second, 0, SEEK_END);
    const int error = append(track, bytes, written);
    if (error == 0 && at >= 0 && written == bytes.size()) {
        for (auto& t : list_.pieces.back().tracks) {
            if (t.track == track) {
                t.segments.push_back({sequence, static_cast<std::uint64_t>(at), seconds});
            }
        }
    }
    return error;
}

void PartSet::closeFiles() noexcept {
    for (const auto& [track, fd] : files_) {
        ::close(fd);
    }
    files_.clear();
}

std::uint64_t PartSet::bytesOf(const PartPiece& piece) const {
    std::uint64_t total = 0;
    for (const auto& track : piece.tracks) {
        total += fileSize(pathOf(track));
    }
    return total;
}

std::string PartSet::textOf(const PartList& list, const std::filesystem::path& stem) {
    auto object = newObject();
    object->set("confcapPartSet", kListVersion);
    object->set("stem", stem.generic_string());
    object->set("streamUrl", list.streamUrl);
    object->set("windowStartMs", toMillis(list.windowStart));
    object->set("windowEndMs", toMillis(list.windowEnd));
    object->set("minBytes", list.minBytes);
    object->set("minDurationSeconds", static_cast<std::int64_t>(list.minDuration.count()));
    object->set("talk", toJson(list.talk));
    Poco::JSON::Array::Ptr pieces = new Poco::JSON::Array;
    for (const auto& piece : list.pieces) {
        auto entry = newObject();
        entry->set("newTimeline", piece.newTimeline);
        Poco::JSON::Array::Ptr tracks = new Poco::JSON::Array;
        for (const auto& track : piece.tracks) {
            auto t = newObject();
            t->set("track", track.track);
            t->set("file", track.file);
            t->set("extension", track.format.extension);
            t->set("concatSafe", track.format.concatSafe);
            if (track.track != 0) {
                t->set("name", track.name);
                t->set("language", track.language);
            }
            if (!track.segments.empty()) {
                t->set("segments", segmentsJson(track.segments));
            }
            tracks->add(t);
        }
        entry->set("tracks", tracks);
        pieces->add(entry);
    }
    object->set("pieces", pieces);
    const auto& progress = list.progress;
    object->set("coveredSeconds", std::round(progress.coveredSeconds * 1000.0) / 1000.0);
    object->set("measured", progress.measured);
    object->set("reconnects", progress.reconnects);
    object->set("droppedBytes", progress.droppedBytes);
    if (progress.diskFullEpisodes > 0) {
        object->set("diskFullMs", static_cast<std::int64_t>(progress.diskFullTime.count()));
        object->set("diskFullEpisodes", progress.diskFullEpisodes);
    }
    if (!progress.writeFailure.empty()) {
        object->set("writeFailure", progress.writeFailure);
    }
    object->set("gaps", gapsJson(progress.gaps));
    if (!progress.variants.empty()) {
        object->set("variants", variantsJson(progress.variants));
    }
    if (list.firstData) {
        object->set("firstDataMs", toMillis(*list.firstData));
    }
    if (list.lastData) {
        object->set("lastDataMs", toMillis(*list.lastData));
    }
    Poco::JSON::Array::Ptr notes = new Poco::JSON::Array;
    for (const auto& note : list.notes) {
        notes->add(note);
    }
    object->set("notes", notes);
    Poco::JSON::Array::Ptr resume = new Poco::JSON::Array;
    for (const auto& point : list.resume) {
        auto r = newObject();
        r->set("track", point.track);
        r->set("nextSequence", point.nextSequence);
        r->set("lastUri", point.lastUri);
        resume->add(r);
    }
    object->set("resume", resume);
    std::ostringstream text;
    object->stringify(text, 2);
    text << '\n';
    return text.str();
}

bool PartSet::save() const noexcept {
    if (list_.pieces.empty()) {
        return true;
    }
    try {
        return core::replaceFile(listPath_, textOf(list_, stem_));
    } catch (...) {
        return false;
    }
}

void PartSet::removeAll() noexcept {
    closeFiles();
    for (const auto& piece : list_.pieces) {
        for (const auto& track : piece.tracks) {
            ::unlink(pathOf(track).c_str());
        }
    }
    auto temporary = listPath_;
    temporary += ".tmp";
    ::unlink(temporary.c_str());
    ::unlink(listPath_.c_str());
}

}  // namespace confcap::sink

#include "confcap/sink/PartSet.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "confcap/core/FileIo.h"

namespace confcap::sink {

namespace {

constexpr std::string_view kListSuffix = ".part.json";
constexpr std::string_view kLogSuffix = ".part.log";
constexpr int kMaxNameAttempts = 10000;

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

/// A mark no other save of a part list (in any process) is likely to give: a random start,
/// counted on, mixed (splitmix64).
std::string newLogMark() {
    static std::atomic<std::uint64_t> next{[] {
        std::random_device random;
        return (static_cast<std::uint64_t>(random()) << 32) ^ random();
    }()};
    std::uint64_t z = next.fetch_add(0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(z));
    return text;
}

}  // namespace

std::filesystem::path PartSet::logPathFor(const std::filesystem::path& outDir,
                                          const std::filesystem::path& stem) {
    auto path = outDir / stem;
    path += std::string(kLogSuffix);
    return path;
}

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
    logPath_ = logPathFor(outDir_, stem_);
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
        throw core::OutputError("Could not read the part list " + core::quotedPath(listPath_) +
                                ".");
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::optional<PartList> read;
    try {
        read = partListFrom(text.str());
    } catch (const std::invalid_argument& e) {
        throw core::OutputError("The part list " + core::quotedPath(listPath_) + " is damaged (" +
                                e.what() + "); move it away to record this talk again.");
    }
    if (!read) {
        return;  // not a part list of ours
    }
    list_ = std::move(*read);
    applyLog();
    // A piece is kept with the files of it that are still there, when its main track is.
    for (auto& piece : list_.pieces) {
        std::erase_if(piece.tracks, [&](const PartTrack& track) {
            return track.file.empty() || track.file.find('/') != std::string::npos ||
                   !std::filesystem::exists(pathOf(track), ec);
        });
    }
    std::erase_if(list_.pieces, [](const PartPiece& piece) {
        return piece.tracks.empty() || piece.tracks.front().track != 0;
    });
    if (list_.pieces.empty()) {
        std::filesystem::remove(listPath_, ec);
        list_ = PartList{};
        return;
    }
    lockFirstPiece();
    loaded_ = true;
}

void PartSet::applyLog() {
    std::ifstream in(logPath_, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
        // A line the process did not finish when it died has no line break, and is not read.
        if (in.eof()) {
            break;
        }
        if (const auto read = partLogLineFrom(line)) {
            applyLogLine(list_, *read);
        }
    }
}

void PartSet::lockFirstPiece() {
    lockFd_ = ::open(pathOf(list_.pieces.front().tracks.front()).c_str(), O_RDONLY | O_CLOEXEC);
    if (lockFd_ < 0 || ::flock(lockFd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        release();
        list_ = PartList{};
        if (error == EWOULDBLOCK) {
            throw PartSetInUse("The recording " + core::quotedPath(outDir_ / stem_) +
                               " is still being written by another sink.");
        }
        throw core::OutputError("Could not open " + core::quotedPath(listPath_) +
                                "'s first piece: " + std::strerror(error) + ".");
    }
}

int PartSet::create(const std::string& name) {
    return ::open((folder_ / name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
}

void PartSet::openPiece(const core::StreamFormat& format, bool newTimeline) {
    closeFiles();
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    if (ec) {
        throw core::OutputError("Could not create the folder " + core::quotedPath(folder_) + ": " +
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
            throw core::OutputError("Could not create " + core::quotedPath(pathOf(main)) + ": " +
                                    std::strerror(error) + ".");
        }
    }
    if (lockFd_ < 0) {
        lockFd_ = ::open(pathOf(main).c_str(), O_RDONLY | O_CLOEXEC);
        if (lockFd_ >= 0) {
            ::flock(lockFd_, LOCK_EX | LOCK_NB);
        }
    }
    auto& file = files_[0];
    file.fd = fd;
    if (naming_ && main.format.extension == "ts") {
        file.namer = std::make_unique<TsServiceNamer>(fd, *naming_);
    }
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
        closeFile(open->first, open->second);
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
            throw core::OutputError("Could not create " + core::quotedPath(pathOf(track)) + ": " +
                                    std::strerror(error) + ".");
        }
    }
    files_[info.index].fd = fd;
    piece.tracks.push_back(std::move(track));
}

int PartSet::append(int track, std::string_view bytes, std::size_t& written) {
    written = 0;
    const auto open = files_.find(track);
    if (open == files_.end()) {
        throw std::logic_error("PartSet::append to a track without a file");
    }
    auto& file = open->second;
    // The file was created by this set and is only written at its end: its size is where.
    const auto start = file.end;
    const auto at = [&] { return static_cast<off_t>(start + written); };
    lastTrack_ = track;
    lastOffset_.reset();
    lastSegment_.reset();
    const char* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const auto n = ::pwrite(file.fd, data, left, at());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int error = errno;
            // A chunk is written whole or not at all: a later retry must not follow half of it.
            if (written == 0 || ::ftruncate(file.fd, static_cast<off_t>(start)) == 0) {
                written = 0;
            } else {
                file.end += written;  // the half chunk stays, and is not named as written
                file.namer.reset();
            }
            return error;
        }
        data += n;
        left -= static_cast<std::size_t>(n);
        written += static_cast<std::size_t>(n);
    }
    file.end += written;
    if (file.namer && !file.namer->feed(bytes)) {
        file.namer.reset();  // publishing names it, and reports what fails then
    }
    lastOffset_ = start;
    return 0;
}

std::optional<PartSet::WrittenAt> PartSet::lastWrite() const {
    if (!lastOffset_ || list_.pieces.empty()) {
        return std::nullopt;
    }
    for (const auto& track : list_.pieces.back().tracks) {
        if (track.track == lastTrack_) {
            return WrittenAt{pathOf(track), *lastOffset_};
        }
    }
    return std::nullopt;
}

std::optional<PartSet::TrackEnd> PartSet::endOf(int track) const {
    const auto open = files_.find(track);
    if (open == files_.end() || list_.pieces.empty()) {
        return std::nullopt;
    }
    for (const auto& t : list_.pieces.back().tracks) {
        if (t.track == track) {
            return TrackEnd{{pathOf(t), open->second.end}, t.format};
        }
    }
    return std::nullopt;
}

int PartSet::appendSegment(int track, std::string_view bytes, std::int64_t sequence, double seconds,
                           std::size_t& written) {
    // append() knows where the bytes began when it wrote every one of them.
    const int error = append(track, bytes, written);
    if (error == 0 && lastOffset_ && written == bytes.size()) {
        lastSegment_ = SegmentMark{sequence, *lastOffset_, seconds};
        for (auto& t : list_.pieces.back().tracks) {
            if (t.track == track) {
                t.segments.push_back(*lastSegment_);
            }
        }
    }
    return error;
}

void PartSet::closeFile(int track, OpenFile& file) noexcept {
    if (file.namer && naming_ && !list_.pieces.empty()) {
        try {
            for (const auto& t : list_.pieces.back().tracks) {
                if (t.track == track) {
                    if (auto named = file.namer->finish()) {
                        named_[pathOf(t)] = {*naming_, *named};
                    }
                }
            }
        } catch (...) {
            // Without the naming as written, publishing names the file.
        }
        file.namer.reset();
    }
    ::close(file.fd);
}

void PartSet::closeFiles() noexcept {
    for (auto& [track, file] : files_) {
        closeFile(track, file);
    }
    files_.clear();
    lastOffset_.reset();
    lastSegment_.reset();
    closeLog();
}

void PartSet::nameServiceAsWritten(std::optional<TsService> names) {
    if (names != naming_) {
        // A file being named under other names is named when it is published instead.
        for (auto& [track, file] : files_) {
            file.namer.reset();
        }
    }
    naming_ = std::move(names);
}

std::optional<NamedInPlace> PartSet::namedAsWritten(const std::filesystem::path& file,
                                                    const TsService& names) const {
    const auto found = named_.find(file);
    // The size tells that nothing was written to the file since.
    if (found == named_.end() || !(found->second.names == names) ||
        fileSize(file) != found->second.named.check.bytes) {
        return std::nullopt;
    }
    return found->second.named;
}

void PartSet::closeLog() noexcept {
    if (logFd_ >= 0) {
        ::close(logFd_);
        logFd_ = -1;
    }
}

std::uint64_t PartSet::bytesOf(const PartPiece& piece) const {
    std::uint64_t total = 0;
    for (const auto& track : piece.tracks) {
        total += fileSize(pathOf(track));
    }
    return total;
}

std::string PartSet::textOf(const PartList& list, const std::filesystem::path& stem) {
    return partListText(list, stem);
}

bool PartSet::save() noexcept {
    if (list_.pieces.empty()) {
        return true;
    }
    // The lines logged after this save carry its mark; those before it carry an earlier one
    // and are not read again, so removing the log is only tidying up.
    auto mark = list_.logMark;
    try {
        list_.logMark = newLogMark();
        if (!core::replaceFile(listPath_, textOf(list_, stem_))) {
            list_.logMark = std::move(mark);
            return false;
        }
    } catch (...) {
        list_.logMark = std::move(mark);
        return false;
    }
    closeLog();
    ::unlink(logPath_.c_str());
    return true;
}

bool PartSet::logWrite(int track) noexcept {
    if (list_.logMark.empty() || list_.pieces.empty()) {
        return false;
    }
    try {
        PartLogLine line;
        line.mark = list_.logMark;
        line.track = track;
        for (const auto& t : list_.pieces.back().tracks) {
            if (t.track == track) {
                line.file = t.file;
            }
        }
        if (line.file.empty()) {
            return false;
        }
        line.segment = lastSegment_;
        for (const auto& point : list_.resume) {
            if (point.track == track) {
                line.resume = point;
            }
        }
        line.lastData = list_.lastData.value_or(std::chrono::system_clock::time_point{});
        line.coveredSeconds = list_.progress.coveredSeconds;
        line.measured = list_.progress.measured;
        const auto text = partLogText(line);
        if (logFd_ < 0) {
            logFd_ = ::open(logPath_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            const auto end = logFd_ < 0 ? -1 : ::lseek(logFd_, 0, SEEK_END);
            if (end < 0) {
                closeLog();
                return false;
            }
            logSize_ = static_cast<std::uint64_t>(end);
        }
        if (!core::writeAll(logFd_, text)) {
            // No half line for a later line to be joined to.
            static_cast<void>(::ftruncate(logFd_, static_cast<off_t>(logSize_)));
            return false;
        }
        logSize_ += text.size();
        return true;
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
    ::unlink(listPath_.c_str());
    ::unlink(logPath_.c_str());
}

}  // namespace confcap::sink

#include "confcap/record/TalkSink.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/core/Time.h"

namespace confcap::record {

namespace {

using TimePoint = std::chrono::system_clock::time_point;
using std::chrono::milliseconds;

// After a kill -9 the manifest is all a restart knows about the time before it (last data,
// covered seconds): it may be this old.
constexpr auto kManifestInterval = std::chrono::seconds(1);
constexpr std::string_view kManifestSuffix = ".part.json";
constexpr int kManifestVersion = 1;
constexpr int kMaxNameAttempts = 10000;
// A piece below this beside a larger one is a connection or recorder run that ended before it
// delivered media (a header, an error page): merging it would only break the merge.
constexpr std::uint64_t kTinyPiece = 16 * 1024;

/// The part set is held by a live sink; recoverLeftovers skips it.
class PartSetInUse : public core::OutputError {
public:
    using core::OutputError::OutputError;
};

std::int64_t toMillis(TimePoint t) {
    return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

TimePoint fromMillis(std::int64_t ms) {
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(milliseconds(ms)));
}

std::string utc(TimePoint t) {
    return core::formatUtc(std::chrono::floor<std::chrono::seconds>(t));
}

double roundedSeconds(double seconds) {
    return std::round(seconds * 1000.0) / 1000.0;
}

double toSeconds(milliseconds ms) {
    return static_cast<double>(ms.count()) / 1000.0;
}

std::string quoted(const std::filesystem::path& path) {
    return "\"" + path.string() + "\"";
}

/// "12 KB", "1.5 MB", "900 bytes" (decimal units, as --min-size is read).
std::string formatBytes(std::uint64_t bytes) {
    if (bytes < 1000) {
        return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
    }
    static constexpr std::array<const char*, 5> kUnits = {"KB", "MB", "GB", "TB", "PB"};
    double value = static_cast<double>(bytes) / 1000.0;
    std::size_t unit = 0;
    while (value >= 999.95 && unit + 1 < kUnits.size()) {
        value /= 1000.0;
        ++unit;
    }
    char text[32];
    if (value < 9.95 && std::round(value * 10.0) != std::round(value) * 10.0) {
        std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
    } else {
        std::snprintf(text, sizeof text, "%.0f %s", value, kUnits[unit]);
    }
    return text;
}

std::string formatSeconds(double seconds) {
    return core::formatDuration(std::chrono::seconds(std::llround(std::max(seconds, 0.0))));
}

/// Renames without ever replacing `to`; returns 0 or the errno (EEXIST when `to` is taken).
int moveNoReplace(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
        return 0;
    }
    const int error = errno;
    if (error != EINVAL && error != ENOSYS && error != ENOTSUP) {
        return error;
    }
    // File systems without RENAME_NOREPLACE: link() fails with EEXIST just as atomically.
    if (::link(from.c_str(), to.c_str()) != 0) {
        return errno;
    }
    ::unlink(from.c_str());
    return 0;
}

std::uint64_t fileSize(const std::filesystem::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && st.st_size > 0 ? static_cast<std::uint64_t>(st.st_size)
                                                            : 0;
}

Poco::Dynamic::Var parseJson(const std::string& text) {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    return parser.parse(text);
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

Poco::JSON::Object::Ptr newObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string stringify(const Poco::JSON::Object::Ptr& object) {
    std::ostringstream out;
    object->stringify(out, 2);
    out << '\n';
    return out.str();
}

/// A manifest's object, or null when `path` holds JSON that is not a part-set manifest.
/// Throws core::OutputError when it cannot be read or parsed.
Poco::JSON::Object::Ptr readManifest(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw core::OutputError("Could not read the part list " + quoted(path) + ".");
    }
    std::ostringstream text;
    text << in.rdbuf();
    try {
        auto value = parseJson(text.str());
        if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
            return nullptr;
        }
        auto object = value.extract<Poco::JSON::Object::Ptr>();
        if (object->optValue<int>("confcapPartSet", 0) != kManifestVersion) {
            return nullptr;
        }
        return object;
    } catch (const Poco::Exception& e) {
        throw core::OutputError("The part list " + quoted(path) + " is damaged (" +
                                e.displayText() + "); move it away to record this talk again.");
    }
}

Poco::JSON::Array::Ptr gapsJson(const std::vector<RecordedGap>& gaps, bool forManifest) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& g : gaps) {
        auto object = newObject();
        if (forManifest) {
            object->set("atMs", toMillis(g.at));
            object->set("lengthMs", static_cast<std::int64_t>(g.length.count()));
        } else {
            object->set("at", utc(g.at));
            object->set("offsetSeconds", toSeconds(g.offset));
            object->set("lengthSeconds", toSeconds(g.length));
        }
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

RecordedGap makeGap(TimePoint at, milliseconds length, std::string cause, TimePoint windowStart) {
    RecordedGap gap;
    gap.at = at;
    gap.offset = std::chrono::duration_cast<milliseconds>(at - windowStart);
    gap.length = length;
    gap.cause = std::move(cause);
    return gap;
}

/// A sentence as a clause inside a reason: no final period, lower-case start.
std::string clause(std::string sentence) {
    while (!sentence.empty() && (sentence.back() == '.' || sentence.back() == ' ')) {
        sentence.pop_back();
    }
    if (!sentence.empty() && sentence.front() >= 'A' && sentence.front() <= 'Z') {
        sentence.front() = static_cast<char>(sentence.front() - 'A' + 'a');
    }
    return sentence;
}

/// The writer's message for a failed write(): one sentence naming the file.
std::string writeFailure(const std::filesystem::path& file, int error) {
    if (error == ENOSPC || error == EDQUOT) {
        return "The disk is full: could not write " + quoted(file) + ".";
    }
    if (error == EFBIG) {
        return "The file size limit was reached: could not write " + quoted(file) + ".";
    }
    return "Could not write " + quoted(file) + ": " + std::strerror(error) + ".";
}

}  // namespace

std::string_view outcomeName(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::Recorded:
            return "recorded";
        case Outcome::Discarded:
            return "discarded";
        case Outcome::Failed:
            break;
    }
    return "failed";
}

const core::Clock& TalkSink::defaultClock() {
    static const core::SystemClock clock;
    return clock;
}

std::filesystem::path TalkSink::manifestPathFor(const std::filesystem::path& outDir,
                                                const std::filesystem::path& relativeStem) {
    auto path = outDir / relativeStem;
    path += std::string(kManifestSuffix);
    return path;
}

TalkSink::TalkSink(TalkSinkConfig config, const core::Clock& clock, PieceMerger merger)
    : config_(std::move(config)), clock_(clock), merger_(std::move(merger)) {
    const auto& stem = config_.relativeStem;
    if (stem.empty() || stem.is_absolute() || !stem.has_filename()) {
        throw std::invalid_argument("TalkSink needs a relative file stem, not '" + stem.string() +
                                    "'");
    }
    for (const auto& part : stem) {
        if (part == "." || part == "..") {
            throw std::invalid_argument("TalkSink's file stem '" + stem.string() +
                                        "' may not contain '.' or '..'");
        }
    }
    if (!config_.talkMetadataJson.empty()) {
        bool isObject = false;
        try {
            isObject =
                parseJson(config_.talkMetadataJson).type() == typeid(Poco::JSON::Object::Ptr);
        } catch (const Poco::Exception&) {
        }
        if (!isObject) {
            throw std::invalid_argument("TalkSink's talk metadata is not a JSON object");
        }
    }
    dir_ = (config_.outDir / stem).parent_path();
    leaf_ = stem.filename().string();
    manifest_ = manifestPathFor(config_.outDir, stem);
    loadLeftover();
}

TalkSink::~TalkSink() {
    if (!result_) {
        closePiece();
        writeManifest();
    }
    if (lockFd_ >= 0) {
        ::close(lockFd_);
    }
}

void TalkSink::loadLeftover() {
    std::error_code ec;
    if (!std::filesystem::exists(manifest_, ec)) {
        return;
    }
    const auto manifest = readManifest(manifest_);
    if (!manifest) {
        return;
    }
    const auto pieces = manifest->getArray("pieces");
    for (std::size_t i = 0; pieces && i < pieces->size(); ++i) {
        const auto piece = pieces->getObject(static_cast<unsigned>(i));
        PieceFile file;
        file.name = piece->optValue<std::string>("file", "");
        file.format.extension = piece->optValue<std::string>("extension", "");
        file.format.concatSafe = piece->optValue<bool>("concatSafe", true);
        file.newTimeline = piece->optValue<bool>("newTimeline", false);
        if (!file.name.empty() && file.name.find('/') == std::string::npos &&
            std::filesystem::exists(partPath(file), ec)) {
            pieces_.push_back(std::move(file));
        }
    }
    if (pieces_.empty()) {
        std::filesystem::remove(manifest_, ec);
        return;
    }
    lockFd_ = ::open(partPath(pieces_.front()).c_str(), O_RDONLY | O_CLOEXEC);
    if (lockFd_ < 0 || ::flock(lockFd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        if (lockFd_ >= 0) {
            ::close(lockFd_);
            lockFd_ = -1;
        }
        pieces_.clear();
        if (error == EWOULDBLOCK) {
            throw PartSetInUse("The recording " + quoted(config_.outDir / config_.relativeStem) +
                               " is still being written by another sink.");
        }
        throw core::OutputError("Could not open " + quoted(manifest_) +
                                "'s first piece: " + std::strerror(error) + ".");
    }
    std::lock_guard lock(mutex_);
    for (const auto& piece : pieces_) {
        status_.bytes += fileSize(partPath(piece));
    }
    status_.pieces = static_cast<int>(pieces_.size());
    status_.coveredSeconds = manifest->optValue<double>("coveredSeconds", 0.0);
    status_.reconnects = manifest->optValue<int>("reconnects", 0);
    status_.droppedBytes = manifest->optValue<std::uint64_t>("droppedBytes", 0);
    if (const auto gaps = manifest->getArray("gaps")) {
        for (std::size_t i = 0; i < gaps->size(); ++i) {
            const auto g = gaps->getObject(static_cast<unsigned>(i));
            auto gap = makeGap(fromMillis(g->optValue<std::int64_t>("atMs", 0)),
                               milliseconds(g->optValue<std::int64_t>("lengthMs", 0)),
                               g->optValue<std::string>("cause", ""), config_.windowStart);
            gap.detail = g->optValue<std::string>("detail", "");
            if (g->has("firstSequence")) {
                gap.firstSequence = g->getValue<std::int64_t>("firstSequence");
            }
            if (g->has("lastSequence")) {
                gap.lastSequence = g->getValue<std::int64_t>("lastSequence");
            }
            status_.gaps.push_back(std::move(gap));
        }
    }
    if (const auto notes = manifest->getArray("notes")) {
        for (std::size_t i = 0; i < notes->size(); ++i) {
            notes_.push_back(notes->getElement<std::string>(static_cast<unsigned>(i)));
        }
    }
    if (manifest->has("firstDataMs")) {
        firstData_ = fromMillis(manifest->getValue<std::int64_t>("firstDataMs"));
    }
    if (manifest->has("lastDataMs")) {
        lastData_ = fromMillis(manifest->getValue<std::int64_t>("lastDataMs"));
        restartedAfter_ = lastData_;
    }
    continued_ = true;
}

void TalkSink::beginPiece(const StreamFormat& format, bool newTimeline) {
    if (result_) {
        throw std::logic_error("TalkSink::beginPiece after finalize");
    }
    if (!writeError_.empty()) {
        return;
    }
    lastWrite_.reset();
    StreamFormat safe{safeExtension(format.extension), format.concatSafe};
    if (fd_ >= 0 && safe.concatSafe && !newTimeline &&
        pieces_.back().format.extension == safe.extension) {
        return;
    }
    closePiece();
    try {
        openPiece(safe, newTimeline && !pieces_.empty());
    } catch (const core::OutputError& e) {
        // Like a failed write: later data is dropped and finalize keeps what exists.
        writeError_ = e.what();
        notes_.push_back("Writing stopped early. " + writeError_);
        std::lock_guard lock(mutex_);
        status_.state = SinkState::WriteFailed;
        throw;
    }
}

void TalkSink::openPiece(const StreamFormat& format, bool newTimeline) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) {
        throw core::OutputError("Could not create the folder " + quoted(dir_) + ": " +
                                ec.message() + ".");
    }
    PieceFile piece{{}, format, newTimeline};
    for (std::size_t index = pieces_.size() + 1;; ++index) {
        piece.name = leaf_ + "." + format.extension + ".part";
        if (index > 1) {
            piece.name += std::to_string(index);
        }
        fd_ = ::open(partPath(piece).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd_ >= 0) {
            break;
        }
        const int error = errno;
        if (error != EEXIST || index > pieces_.size() + kMaxNameAttempts) {
            throw core::OutputError("Could not create " + quoted(partPath(piece)) + ": " +
                                    std::strerror(error) + ".");
        }
    }
    if (lockFd_ < 0) {
        lockFd_ = ::open(partPath(piece).c_str(), O_RDONLY | O_CLOEXEC);
        if (lockFd_ >= 0) {
            ::flock(lockFd_, LOCK_EX | LOCK_NB);
        }
    }
    pieces_.push_back(std::move(piece));
    {
        std::lock_guard lock(mutex_);
        status_.pieces += 1;
        status_.state = SinkState::Recording;
    }
    writeManifest();
    lastManifest_ = clock_.now();
}

void TalkSink::closePiece() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

void TalkSink::beginTrack(const TrackInfo&, const StreamFormat&) {}

void TalkSink::write(const Chunk& chunk) {
    if (chunk.track != 0) {
        return;
    }
    const std::string_view bytes = chunk.bytes;
    const double mediaSeconds = chunk.mediaSeconds;
    if (result_) {
        throw std::logic_error("TalkSink::write after finalize");
    }
    if (!writeError_.empty()) {
        std::lock_guard lock(mutex_);
        status_.droppedBytes += bytes.size();
        return;
    }
    if (fd_ < 0) {
        throw std::logic_error("TalkSink::write before beginPiece");
    }
    const char* data = bytes.data();
    std::size_t left = bytes.size();
    int error = 0;
    while (left > 0) {
        const auto n = ::write(fd_, data, left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            error = errno;
            break;
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    const auto written = bytes.size() - left;
    const auto now = clock_.now();
    if (restartedAfter_ && written > 0) {
        // The stream went on while no confcap was running; that time is lost.
        if (now > *restartedAfter_) {
            auto lost = makeGap(*restartedAfter_,
                                std::chrono::duration_cast<milliseconds>(now - *restartedAfter_),
                                gapcause::kNotRunning, config_.windowStart);
            std::lock_guard lock(mutex_);
            status_.gaps.push_back(std::move(lost));
        }
        restartedAfter_.reset();
    }
    {
        std::lock_guard lock(mutex_);
        status_.bytes += written;
        status_.droppedBytes += left;
        if (mediaSeconds > 0) {
            status_.coveredSeconds += mediaSeconds;
        } else if (lastWrite_ && now > *lastWrite_ && written > 0) {
            status_.coveredSeconds += std::chrono::duration<double>(now - *lastWrite_).count();
        }
    }
    const bool firstData = written > 0 && !firstData_;
    if (written > 0) {
        if (firstData) {
            firstData_ = now;
        }
        lastWrite_ = now;
        lastData_ = now;
    }
    if (error != 0) {
        failWrite(error);
    }
    if (firstData || now - lastManifest_ >= kManifestInterval) {
        writeManifest();
        lastManifest_ = now;
    }
}

void TalkSink::failWrite(int error) {
    const auto message = writeFailure(partPath(pieces_.back()), error);
    writeError_ = message;
    closePiece();
    {
        std::lock_guard lock(mutex_);
        status_.state = SinkState::WriteFailed;
    }
    notes_.push_back("Writing stopped early. " + message);
    writeManifest();
    throw core::OutputError(message);
}

void TalkSink::gap(const Gap& gap) {
    if (result_) {
        throw std::logic_error("TalkSink::gap after finalize");
    }
    auto recorded = makeGap(gap.at, gap.length, gap.cause, config_.windowStart);
    recorded.detail = gap.detail;
    recorded.firstSequence = gap.firstSequence;
    recorded.lastSequence = gap.lastSequence;
    {
        std::lock_guard lock(mutex_);
        status_.gaps.push_back(std::move(recorded));
    }
    lastWrite_.reset();
    writeManifest();
}

void TalkSink::reconnected() {
    if (result_) {
        throw std::logic_error("TalkSink::reconnected after finalize");
    }
    {
        std::lock_guard lock(mutex_);
        status_.reconnects += 1;
    }
    lastWrite_.reset();
    writeManifest();
}

SinkStatus TalkSink::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

std::string TalkSink::manifestText() const {
    auto object = newObject();
    object->set("confcapPartSet", kManifestVersion);
    object->set("stem", config_.relativeStem.generic_string());
    object->set("streamUrl", config_.streamUrl);
    object->set("windowStartMs", toMillis(config_.windowStart));
    object->set("windowEndMs", toMillis(config_.windowEnd));
    object->set("minBytes", config_.minBytes);
    object->set("minDurationSeconds", static_cast<std::int64_t>(config_.minDuration.count()));
    if (!config_.talkMetadataJson.empty()) {
        object->set("talk", parseJson(config_.talkMetadataJson));
    }
    Poco::JSON::Array::Ptr pieces = new Poco::JSON::Array;
    for (const auto& piece : pieces_) {
        auto entry = newObject();
        entry->set("file", piece.name);
        entry->set("extension", piece.format.extension);
        entry->set("concatSafe", piece.format.concatSafe);
        entry->set("newTimeline", piece.newTimeline);
        pieces->add(entry);
    }
    object->set("pieces", pieces);
    {
        std::lock_guard lock(mutex_);
        object->set("coveredSeconds", roundedSeconds(status_.coveredSeconds));
        object->set("reconnects", status_.reconnects);
        object->set("droppedBytes", status_.droppedBytes);
        object->set("gaps", gapsJson(status_.gaps, true));
    }
    if (firstData_) {
        object->set("firstDataMs", toMillis(*firstData_));
    }
    if (lastData_) {
        object->set("lastDataMs", toMillis(*lastData_));
    }
    Poco::JSON::Array::Ptr notes = new Poco::JSON::Array;
    for (const auto& note : notes_) {
        notes->add(note);
    }
    object->set("notes", notes);
    return stringify(object);
}

bool TalkSink::writeManifest() const noexcept {
    if (pieces_.empty()) {
        return true;
    }
    try {
        const auto text = manifestText();
        auto temporary = manifest_;
        temporary += ".tmp";
        const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) {
            return false;
        }
        const bool written = core::writeAll(fd, text);
        if (::close(fd) != 0 || !written || ::rename(temporary.c_str(), manifest_.c_str()) != 0) {
            ::unlink(temporary.c_str());
            return false;
        }
        return true;
    } catch (...) {
        return false;
    }
}

std::uint64_t TalkSink::pieceBytes(const PieceFile& piece) const {
    return fileSize(partPath(piece));
}

FinalizeResult TalkSink::finalize(std::string_view reason) {
    if (!result_) {
        closePiece();
        try {
            result_ = finish(reason);
        } catch (const std::exception& e) {
            FinalizeResult failed;
            failed.outcome = Outcome::Failed;
            failed.reason =
                std::string("failed: ") + e.what() + " The parts are kept for a later recovery.";
            failed.relativeStem = config_.relativeStem;
            failed.talkMetadataJson = config_.talkMetadataJson;
            failed.notes = notes_;
            writeManifest();
            result_ = std::move(failed);
        }
        {
            std::lock_guard lock(mutex_);
            status_.state = SinkState::Finalized;
        }
        result_->status = status();
        if (lockFd_ >= 0) {
            ::close(lockFd_);
            lockFd_ = -1;
        }
    }
    return *result_;
}

FinalizeResult TalkSink::finish(std::string_view reason) {
    FinalizeResult result;
    result.relativeStem = config_.relativeStem;
    result.talkMetadataJson = config_.talkMetadataJson;
    if (continued_ && restartedAfter_ && lastData_) {
        // Recovered without new data: the stream ran on after the earlier run stopped.
        const auto end = std::min(clock_.now(), config_.windowEnd);
        if (end > *lastData_) {
            auto lost =
                makeGap(*lastData_, std::chrono::duration_cast<milliseconds>(end - *lastData_),
                        gapcause::kNotRunning, config_.windowStart);
            std::lock_guard lock(mutex_);
            status_.gaps.push_back(std::move(lost));
        }
        restartedAfter_.reset();
    }
    std::vector<PieceFile> kept;
    std::uint64_t total = 0;
    const bool anyLarge = std::any_of(pieces_.begin(), pieces_.end(), [&](const PieceFile& p) {
        return pieceBytes(p) >= kTinyPiece;
    });
    int tiny = 0;
    for (const auto& piece : pieces_) {
        const auto size = pieceBytes(piece);
        if (size == 0 || (anyLarge && size < kTinyPiece)) {
            ::unlink(partPath(piece).c_str());
            tiny += size == 0 ? 0 : 1;
        } else {
            kept.push_back(piece);
            total += size;
        }
    }
    if (tiny > 0) {
        notes_.push_back(std::to_string(tiny) + (tiny == 1 ? " piece" : " pieces") + " under " +
                         formatBytes(kTinyPiece) +
                         " left out: a connection or recorder run that ended before it "
                         "delivered media.");
    }
    double covered = 0;
    {
        std::lock_guard lock(mutex_);
        status_.bytes = total;
        covered = status_.coveredSeconds;
    }
    auto removeParts = [&] {
        for (const auto& piece : kept) {
            ::unlink(partPath(piece).c_str());
        }
        auto temporary = manifest_;
        temporary += ".tmp";
        ::unlink(temporary.c_str());
        ::unlink(manifest_.c_str());
    };
    result.notes = notes_;
    const std::string stopped = writeError_.empty()
                                    ? std::string()
                                    : " after writing stopped early (" + clause(writeError_) + ")";
    if (total == 0) {
        result.outcome = Outcome::Failed;
        result.reason = writeError_.empty()
                            ? "failed: no stream data arrived"
                            : "failed: nothing was written (" + clause(writeError_) + ")";
        removeParts();
        return result;
    }
    if (total < config_.minBytes) {
        result.outcome = writeError_.empty() ? Outcome::Discarded : Outcome::Failed;
        result.reason = std::string(outcomeName(result.outcome)) + ": " + formatBytes(total) +
                        " is below --min-size " + formatBytes(config_.minBytes) + stopped;
        removeParts();
        return result;
    }
    if (covered < static_cast<double>(config_.minDuration.count())) {
        result.outcome = writeError_.empty() ? Outcome::Discarded : Outcome::Failed;
        result.reason = std::string(outcomeName(result.outcome)) + ": " + formatSeconds(covered) +
                        " of stream is below --min-duration " +
                        core::formatDuration(config_.minDuration) + stopped;
        removeParts();
        return result;
    }

    // Recorded: one file from the pieces where possible, else the pieces under numbered names.
    std::filesystem::path source;
    std::string extension = kept.front().format.extension;
    bool merged = false;
    std::vector<PieceFile> separate;
    const bool oneFormat = std::all_of(kept.begin(), kept.end(), [&](const PieceFile& p) {
        return p.format.extension == extension;
    });
    auto mergeOutput = dir_ / (leaf_ + "." + extension + ".merge.part");
    ::unlink(mergeOutput.c_str());
    if (kept.size() == 1) {
        source = partPath(kept.front());
    } else if (oneFormat) {
        std::vector<std::filesystem::path> paths;
        for (const auto& piece : kept) {
            paths.push_back(partPath(piece));
        }
        try {
            const bool rebase = std::any_of(kept.begin() + 1, kept.end(),
                                            [](const PieceFile& p) { return p.newTimeline; });
            const auto merge = merger_.merge(paths, kept.front().format, mergeOutput, rebase);
            result.notes.push_back(merge.note);
            if (merge.merged) {
                source = mergeOutput;
                merged = true;
            }
        } catch (const core::OutputError& e) {
            result.notes.push_back(std::string(e.what()) +
                                   " The pieces are kept as separate files.");
        }
    } else {
        std::string formats;
        for (const auto& piece : kept) {
            formats += (formats.empty() ? "" : ", ") + piece.format.extension;
        }
        result.notes.push_back("The pieces have different formats (" + formats +
                               "), so they are kept as separate files.");
    }
    if (source.empty()) {
        separate = kept;
    }

    // On failure the pieces stay for a later recovery; a merged copy of them would be litter.
    auto giveUp = [&](const std::string& message) {
        if (merged) {
            ::unlink(mergeOutput.c_str());
        }
        return core::OutputError(message);
    };
    int sidecarFd = -1;
    for (int n = 1; sidecarFd < 0; ++n) {
        if (n > kMaxNameAttempts) {
            throw giveUp("Could not find a free name for " + quoted(dir_ / leaf_) + ".");
        }
        const auto stem = n == 1 ? leaf_ : leaf_ + " (" + std::to_string(n) + ")";
        const auto sidecar = dir_ / (stem + ".json");
        // The sidecar is created first and exclusively: it reserves the stem against any other
        // sink finalizing into the same folder.
        const int fd = ::open(sidecar.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
            const int error = errno;
            if (error == EEXIST) {
                continue;
            }
            throw giveUp("Could not create " + quoted(sidecar) + ": " + std::strerror(error) + ".");
        }
        std::vector<std::filesystem::path> placed;
        int error = 0;
        if (!source.empty()) {
            const auto target = dir_ / (stem + "." + extension);
            error = moveNoReplace(source, target);
            if (error == 0) {
                placed.push_back(target);
            }
        } else {
            for (std::size_t i = 0; i < separate.size() && error == 0; ++i) {
                const auto target = PieceMerger::numberedPiecePath(dir_ / stem, i + 1,
                                                                   separate[i].format.extension);
                error = moveNoReplace(partPath(separate[i]), target);
                if (error == 0) {
                    placed.push_back(target);
                }
            }
        }
        if (error != 0) {
            for (std::size_t i = 0; i < placed.size() && source.empty(); ++i) {
                moveNoReplace(placed[i], partPath(separate[i]));
            }
            ::close(fd);
            ::unlink(sidecar.c_str());
            if (error == EEXIST) {
                continue;
            }
            throw giveUp("Could not move the recording to " + quoted(dir_ / stem) + ": " +
                         std::strerror(error) + ".");
        }
        sidecarFd = fd;
        result.files = placed;
        result.sidecar = sidecar;
    }

    result.outcome = Outcome::Recorded;
    SinkStatus finalStatus = status();
    const auto scheduled =
        std::chrono::duration<double>(config_.windowEnd - config_.windowStart).count();
    result.reason = "recorded: " + formatBytes(total) + " covering " + formatSeconds(covered) +
                    " of the " + formatSeconds(scheduled) + " window";
    if (!finalStatus.gaps.empty()) {
        result.reason += " with " + std::to_string(finalStatus.gaps.size()) +
                         (finalStatus.gaps.size() == 1 ? " gap" : " gaps");
    }
    if (!separate.empty() && separate.size() > 1) {
        result.reason += ", kept as " + std::to_string(separate.size()) + " separate pieces";
    }
    result.reason += stopped;

    auto sidecar = newObject();
    if (!config_.talkMetadataJson.empty()) {
        sidecar->set("talk", parseJson(config_.talkMetadataJson));
    } else {
        sidecar->set("talk", Poco::Dynamic::Var());
    }
    sidecar->set("stream", config_.streamUrl);
    auto window = newObject();
    window->set("start", utc(config_.windowStart));
    window->set("end", utc(config_.windowEnd));
    sidecar->set("window", window);
    if (firstData_) {
        // How promptly the recording began: the first byte's arrival after the window's start,
        // to the millisecond (negative: before it).
        sidecar->set(
            "firstDataOffsetSeconds",
            toSeconds(std::chrono::duration_cast<milliseconds>(*firstData_ - config_.windowStart)));
    }
    Poco::JSON::Array::Ptr files = new Poco::JSON::Array;
    for (const auto& file : result.files) {
        files->add(file.lexically_relative(config_.outDir).generic_string());
    }
    sidecar->set("file", files->getElement<std::string>(0));
    sidecar->set("files", files);
    sidecar->set("bytes", total);
    sidecar->set("scheduledSeconds", roundedSeconds(scheduled));
    sidecar->set("coveredSeconds", roundedSeconds(covered));
    sidecar->set("gaps", gapsJson(finalStatus.gaps, false));
    sidecar->set("reconnects", finalStatus.reconnects);
    sidecar->set("pieces", static_cast<int>(kept.size()));
    sidecar->set("merged", merged || kept.size() == 1);
    if (finalStatus.droppedBytes > 0) {
        sidecar->set("droppedBytes", finalStatus.droppedBytes);
    }
    sidecar->set("outcome", std::string(outcomeName(result.outcome)));
    sidecar->set("reason", result.reason);
    sidecar->set("finalizedBecause", std::string(reason));
    Poco::JSON::Array::Ptr notes = new Poco::JSON::Array;
    for (const auto& note : result.notes) {
        notes->add(note);
    }
    sidecar->set("notes", notes);
    const bool sidecarWritten = core::writeAll(sidecarFd, stringify(sidecar));
    if (::close(sidecarFd) != 0 || !sidecarWritten) {
        result.notes.push_back("Could not write the sidecar " + quoted(result.sidecar) + ".");
        ::unlink(result.sidecar.c_str());
        result.sidecar.clear();
    }
    if (merged) {
        for (const auto& piece : kept) {
            ::unlink(partPath(piece).c_str());
        }
    }
    removeParts();
    return result;
}

std::vector<FinalizeResult> TalkSink::recoverLeftovers(const std::filesystem::path& outDir,
                                                       const PieceMerger& merger) {
    std::vector<FinalizeResult> results;
    std::error_code ec;
    if (!std::filesystem::is_directory(outDir, ec)) {
        return results;
    }
    std::vector<std::filesystem::path> manifests;
    std::filesystem::recursive_directory_iterator it(
        outDir, std::filesystem::directory_options::skip_permission_denied, ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (it->is_directory(ec)) {
            if (name.starts_with('.')) {
                it.disable_recursion_pending();
            }
        } else if (name.size() > kManifestSuffix.size() && name.ends_with(kManifestSuffix) &&
                   it->is_regular_file(ec)) {
            manifests.push_back(it->path());
        }
    }
    std::sort(manifests.begin(), manifests.end());
    for (const auto& path : manifests) {
        auto leaf = path.filename().string();
        leaf.resize(leaf.size() - kManifestSuffix.size());
        const auto folder = path.parent_path().lexically_relative(outDir);
        const auto relativeStem =
            folder.empty() || folder == "." ? std::filesystem::path(leaf) : folder / leaf;
        try {
            const auto manifest = readManifest(path);
            if (!manifest) {
                continue;
            }
            TalkSinkConfig config;
            config.outDir = outDir;
            config.relativeStem = relativeStem;
            config.windowStart = fromMillis(manifest->optValue<std::int64_t>("windowStartMs", 0));
            config.windowEnd = fromMillis(manifest->optValue<std::int64_t>("windowEndMs", 0));
            config.minBytes = manifest->optValue<std::uint64_t>("minBytes", 0);
            config.minDuration =
                std::chrono::seconds(manifest->optValue<std::int64_t>("minDurationSeconds", 0));
            config.streamUrl = manifest->optValue<std::string>("streamUrl", "");
            if (const auto talk = manifest->getObject("talk")) {
                std::ostringstream text;
                talk->stringify(text);
                config.talkMetadataJson = text.str();
            }
            TalkSink sink(std::move(config), defaultClock(), merger);
            if (sink.continued()) {
                results.push_back(sink.finalize("recovered after a restart"));
            }
        } catch (const PartSetInUse&) {
            continue;
        } catch (const std::exception& e) {
            FinalizeResult failed;
            failed.outcome = Outcome::Failed;
            failed.reason = "failed: " + clause(e.what());
            failed.relativeStem = relativeStem;
            results.push_back(std::move(failed));
        }
    }
    return results;
}

}  // namespace confcap::record

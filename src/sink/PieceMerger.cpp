#include "confcap/sink/PieceMerger.h"

#include <Poco/Exception.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <stdexcept>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"

namespace confcap::sink {

using core::FileDescriptor;

namespace {

core::OutputError ioError(const std::string& what, const std::filesystem::path& file, int error) {
    return core::OutputError("Could not " + what + " \"" + file.string() +
                             "\": " + std::strerror(error) + ".");
}

/// Copies all of `in` to the end of `out`, in the kernel where it can.
void copyAll(int in, int out, const std::filesystem::path& from, const std::filesystem::path& to) {
    bool kernelCopy = true;
    std::vector<char> buffer;
    for (;;) {
        ssize_t n = -1;
        if (kernelCopy) {
            n = ::copy_file_range(in, nullptr, out, nullptr, 1u << 30, 0);
            if (n < 0 &&
                (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
                kernelCopy = false;
                buffer.resize(1u << 20);
                continue;
            }
            if (n < 0 && errno != EINTR) {
                throw ioError("append to", to, errno);
            }
        } else {
            n = ::read(in, buffer.data(), buffer.size());
            if (n < 0 && errno != EINTR) {
                throw ioError("read", from, errno);
            }
            for (ssize_t done = 0; n > 0 && done < n;) {
                const auto w = ::write(out, buffer.data() + done, static_cast<size_t>(n - done));
                if (w < 0 && errno != EINTR) {
                    throw ioError("append to", to, errno);
                }
                done += w < 0 ? 0 : w;
            }
        }
        if (n == 0) {
            return;
        }
    }
}

/// The ffmpeg muxer for a file extension; empty when unknown (ffmpeg then guesses).
std::string muxerFor(std::string_view extension) {
    if (extension == "webm") {
        return "webm";
    }
    if (extension == "mkv") {
        return "matroska";
    }
    if (extension == "mp4" || extension == "m4v" || extension == "mov" || extension == "flv" ||
        extension == "ogg" || extension == "mp3") {
        return extension == "m4v" ? "mp4" : std::string(extension);
    }
    if (extension == "m4a") {
        return "ipod";
    }
    if (extension == "ts") {
        return "mpegts";
    }
    if (extension == "aac") {
        return "adts";
    }
    if (extension == "opus") {
        return "opus";
    }
    return {};
}

/// A path quoted for a concat demuxer list: 'text', with ' written as '\''.
std::string concatQuoted(const std::string& path) {
    std::string quoted = "'";
    for (char c : path) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

std::string lastLine(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    const auto newline = text.find_last_of('\n');
    return newline == std::string::npos ? text : text.substr(newline + 1);
}

}  // namespace

PieceMerger::PieceMerger() : ffmpeg_(core::findOnPath("ffmpeg")) {}

PieceMerger::PieceMerger(std::filesystem::path ffmpeg) : ffmpeg_(std::move(ffmpeg)) {}

MergeResult PieceMerger::merge(const std::vector<std::filesystem::path>& pieces,
                               const core::StreamFormat& format,
                               const std::filesystem::path& output, bool rebase) const {
    if (pieces.empty()) {
        throw std::invalid_argument("PieceMerger::merge needs at least one piece");
    }
    if (format.concatSafe && (!rebase || ffmpeg_.empty())) {
        return appendBytes(pieces, output);
    }
    if (ffmpeg_.empty()) {
        return {false, "ffmpeg is not on PATH, so the " + std::to_string(pieces.size()) + " " +
                           format.extension + " pieces are kept as separate files."};
    }
    return runFfmpeg(pieces, format, output);
}

MergeResult PieceMerger::appendBytes(const std::vector<std::filesystem::path>& pieces,
                                     const std::filesystem::path& output) const {
    FileDescriptor out(::open(output.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    if (out.get() < 0) {
        throw ioError("create", output, errno);
    }
    try {
        for (const auto& piece : pieces) {
            FileDescriptor in(::open(piece.c_str(), O_RDONLY | O_CLOEXEC));
            if (in.get() < 0) {
                throw ioError("read", piece, errno);
            }
            copyAll(in.get(), out.get(), piece, output);
        }
        if (::close(out.release()) != 0) {
            throw ioError("write", output, errno);
        }
    } catch (...) {
        ::unlink(output.c_str());
        throw;
    }
    return {true, "The " + std::to_string(pieces.size()) + " pieces were joined byte by byte."};
}

MergeResult PieceMerger::runFfmpeg(const std::vector<std::filesystem::path>& pieces,
                                   const core::StreamFormat& format,
                                   const std::filesystem::path& output) const {
    const auto kept = " pieces are kept as separate files.";
    const auto count = std::to_string(pieces.size());
    auto list = output;
    list += ".concat.txt";
    {
        std::string text = "ffconcat version 1.0\n";
        for (const auto& piece : pieces) {
            text += "file " + concatQuoted(std::filesystem::absolute(piece).string()) + "\n";
        }
        FileDescriptor fd(::open(list.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
        if (fd.get() < 0 ||
            ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
            const int error = errno;
            ::unlink(list.c_str());
            throw ioError("write", list, error);
        }
    }
    std::vector<std::string> args = {
        "-hide_banner", "-nostdin",    "-loglevel", "error", "-f", "concat", "-safe", "0",
        "-i",           list.string(), "-map",      "0",     "-c", "copy",   "-n"};
    if (const auto muxer = muxerFor(format.extension); !muxer.empty()) {
        args.insert(args.end(), {"-f", muxer});
    }
    args.push_back(output.string());
    const auto [exitCode, messages] = run(args);
    ::unlink(list.c_str());
    struct stat st {};
    if (exitCode == 0 && ::stat(output.c_str(), &st) == 0 && st.st_size > 0) {
        return {true, "The " + count + " " + format.extension + " pieces were joined by ffmpeg."};
    }
    ::unlink(output.c_str());
    const auto detail = lastLine(messages);
    return {false, "ffmpeg could not join the " + count + " " + format.extension + " pieces (" +
                       (exitCode >= 0 ? "exit code " + std::to_string(exitCode) : "not started") +
                       (detail.empty() ? "" : ": " + detail) + "), so the" + kept};
}

std::pair<int, std::string> PieceMerger::run(const std::vector<std::string>& args) const {
    int exitCode = -1;
    std::string messages;
    try {
        Poco::Pipe outPipe;
        auto handle = Poco::Process::launch(ffmpeg_.string(), args, nullptr, &outPipe, &outPipe);
        Poco::PipeInputStream stream(outPipe);
        Poco::StreamCopier::copyToString(stream, messages);
        exitCode = handle.wait();
    } catch (const Poco::Exception& e) {
        messages = e.displayText();
    }
    return {exitCode, messages};
}

MergeResult PieceMerger::mux(const std::vector<MuxInput>& tracks, const core::StreamFormat& format,
                             const std::filesystem::path& output) const {
    if (tracks.size() < 2) {
        throw std::invalid_argument("PieceMerger::mux needs at least two tracks");
    }
    const std::string count = std::to_string(tracks.size() - 1);
    if (ffmpeg_.empty()) {
        return {false, "ffmpeg is not on PATH, so the " + count +
                           " audio renditions are kept as separate files."};
    }
    // The further audio streams follow the main track's own audio streams in the output.
    std::size_t mainAudio = 0;
    const auto ffprobe = ffmpeg_.parent_path() / "ffprobe";
    if (::access(ffprobe.c_str(), X_OK) == 0) {
        std::string listing;
        try {
            Poco::Pipe outPipe;
            auto handle = Poco::Process::launch(
                ffprobe.string(),
                {"-v", "error", "-select_streams", "a", "-show_entries", "stream=index", "-of",
                 "csv=p=0", tracks.front().file.string()},
                nullptr, &outPipe, nullptr);
            Poco::PipeInputStream stream(outPipe);
            Poco::StreamCopier::copyToString(stream, listing);
            handle.wait();
        } catch (const Poco::Exception&) {
        }
        // MPEG-TS lists its streams twice (in the program and alone): count them once.
        std::set<std::string> indexes;
        std::size_t start = 0;
        while (start < listing.size()) {
            const auto end = std::min(listing.find('\n', start), listing.size());
            auto line = listing.substr(start, end - start);
            while (!line.empty() && (line.back() == ',' || line.back() == '\r')) {
                line.pop_back();
            }
            if (!line.empty()) {
                indexes.insert(line);
            }
            start = end + 1;
        }
        mainAudio = indexes.size();
    }
    std::vector<std::string> args = {"-hide_banner", "-nostdin", "-loglevel", "error", "-copyts"};
    for (const auto& track : tracks) {
        args.insert(args.end(), {"-i", track.file.string()});
    }
    args.insert(args.end(), {"-map", "0:v?", "-map", "0:a?", "-map", "0:s?"});
    for (std::size_t i = 1; i < tracks.size(); ++i) {
        args.insert(args.end(), {"-map", std::to_string(i) + ":a"});
    }
    args.insert(args.end(), {"-c", "copy"});
    for (std::size_t i = 1; i < tracks.size(); ++i) {
        const std::string stream = "-metadata:s:a:" + std::to_string(mainAudio + i - 1);
        if (!tracks[i].language.empty()) {
            args.insert(args.end(), {stream, "language=" + tracks[i].language});
        }
        if (!tracks[i].name.empty()) {
            args.insert(args.end(), {stream, "title=" + tracks[i].name});
        }
    }
    args.push_back("-n");
    if (const auto muxer = muxerFor(format.extension); !muxer.empty()) {
        args.insert(args.end(), {"-f", muxer});
    }
    args.push_back(output.string());
    const auto [exitCode, messages] = run(args);
    struct stat st {};
    if (exitCode == 0 && ::stat(output.c_str(), &st) == 0 && st.st_size > 0) {
        return {true, "The audio renditions were joined to the video by ffmpeg."};
    }
    ::unlink(output.c_str());
    const auto detail = lastLine(messages);
    return {false, "ffmpeg could not join the " + count + " audio renditions to the video (" +
                       (exitCode >= 0 ? "exit code " + std::to_string(exitCode) : "not started") +
                       (detail.empty() ? "" : ": " + detail) +
                       "), so they are kept as separate files."};
}

MergeResult PieceMerger::remux(const std::filesystem::path& input, const core::StreamFormat& format,
                               Container container, const FileTags& tags,
                               const std::filesystem::path& output) const {
    const auto extension = extensionIn(container, format.extension);
    const auto muxer = muxerFor(extension);
    const auto what = container == Container::AsRecorded
                          ? "tag the " + extension + " file"
                          : "remux the " + format.extension + " file to " + extension;
    // The stream's own container is tagged where that is possible, silently left as it is
    // where not; a container asked for says why it could not be made.
    const bool asked = container != Container::AsRecorded;
    if (muxer.empty() || muxer == "adts" || muxer == "flv") {
        return {false, asked
                           ? "A " + extension + " file cannot hold tags, so it is kept as recorded."
                           : std::string()};
    }
    if (!asked && muxer == "mpegts") {
        return {false, std::string()};  // named in place (nameServiceInPlace), not remuxed
    }
    if (ffmpeg_.empty()) {
        return {false, asked ? "ffmpeg is not on PATH, so confcap could not " + what + "."
                             : std::string()};
    }
    auto metadata = output;
    metadata += ".ffmeta";
    {
        const auto text = ffmetadataText(tags);
        FileDescriptor fd(::open(metadata.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
        if (fd.get() < 0 || !core::writeAll(fd.get(), text)) {
            const int error = errno;
            ::unlink(metadata.c_str());
            return {false, "Could not write \"" + metadata.string() + "\" (" +
                               std::strerror(error) + "), so confcap could not " + what + "."};
        }
    }
    std::vector<std::string> args = {"-hide_banner", "-nostdin",       "-loglevel", "error",
                                     "-i",           input.string(),   "-f",        "ffmetadata",
                                     "-i",           metadata.string()};
    if (container == Container::AsRecorded) {
        args.insert(args.end(), {"-map", "0"});
    } else {
        args.insert(args.end(), {"-map", "0:v?", "-map", "0:a?", "-map", "0:s?"});
    }
    args.insert(args.end(), {"-map_metadata", "1", "-map_chapters", "1", "-c", "copy"});
    if (muxer == "mpegts") {
        args.push_back("-copyts");
    }
    if (muxer == "mp4" || muxer == "ipod" || muxer == "mov") {
        args.insert(args.end(), {"-movflags", "+faststart"});
    }
    args.insert(args.end(), {"-n", "-f", muxer, output.string()});
    const auto [exitCode, messages] = run(args);
    ::unlink(metadata.c_str());
    struct stat st {};
    if (exitCode == 0 && ::stat(output.c_str(), &st) == 0 && st.st_size > 0) {
        return {true, container == Container::AsRecorded
                          ? "The talk's tags were written into the " + extension + " file."
                          : "The " + format.extension + " recording was remuxed to " + extension +
                                " with the talk's tags."};
    }
    ::unlink(output.c_str());
    const auto detail = lastLine(messages);
    return {false, "ffmpeg could not " + what + " (" +
                       (exitCode >= 0 ? "exit code " + std::to_string(exitCode) : "not started") +
                       (detail.empty() ? "" : ": " + detail) + "), so it is kept as recorded."};
}

}  // namespace confcap::sink

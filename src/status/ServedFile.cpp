#include "confcap/status/ServedFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <string>

#include "confcap/core/Text.h"

namespace confcap::status {

namespace {

std::optional<std::string> realPath(const std::string& path) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) {
        return std::nullopt;
    }
    std::string out(resolved);
    std::free(resolved);
    return out;
}

bool isUnder(std::string_view path, std::string_view root) {
    if (root == "/") {
        return path.size() > 1 && path.front() == '/';
    }
    return path.size() > root.size() + 1 && path.substr(0, root.size()) == root &&
           path[root.size()] == '/';
}

/// Whether `relative` (to the output folder) lies in the bookkeeping folder and is not the
/// summary, the one file of it that is served.
bool isHiddenBookkeeping(std::string_view relative) {
    const auto first = relative.substr(0, relative.find('/'));
    return first == kBookkeeping && relative != kSummaryFile && relative != kSummaryPage &&
           !(relative.starts_with(kThumbnails) && relative.size() > kThumbnails.size());
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// The decoded relative path of a /recordings/ request, or why it is refused. Checks run on the
/// raw and the decoded text so that no spelling of "..", "/" or NUL gets through.
std::variant<std::string, FileRefusal> decodeRelativePath(std::string_view encoded) {
    std::string decoded;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] != '%') {
            decoded.push_back(encoded[i]);
            continue;
        }
        const auto high = i + 2 < encoded.size() ? hexValue(encoded[i + 1]) : -1;
        const auto low = i + 2 < encoded.size() ? hexValue(encoded[i + 2]) : -1;
        if (high < 0 || low < 0) {
            return FileRefusal{400, "malformed percent-encoding"};
        }
        const auto c = static_cast<char>(high * 16 + low);
        if (c == '/' || c == '\\') {
            return FileRefusal{403, "encoded slash"};
        }
        decoded.push_back(c);
        i += 2;
    }
    if (decoded.empty()) {
        return FileRefusal{404, "no file named"};
    }
    if (decoded.find('\0') != std::string::npos || decoded.find('\\') != std::string::npos) {
        return FileRefusal{403, "NUL or backslash"};
    }
    if (decoded.front() == '/') {
        return FileRefusal{403, "absolute path"};
    }
    std::size_t start = 0;
    while (start <= decoded.size()) {
        const auto end = std::min(decoded.find('/', start), decoded.size());
        const auto segment = std::string_view(decoded).substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") {
            return FileRefusal{403, "empty, . or .. segment"};
        }
        start = end + 1;
    }
    if (isHiddenBookkeeping(decoded)) {
        return FileRefusal{404, "bookkeeping"};
    }
    return decoded;
}

}  // namespace

std::string_view requestPath(std::string_view target) {
    if (const auto scheme = target.find("://");
        !target.empty() && target.front() != '/' && scheme != std::string_view::npos) {
        // absolute-form request target: drop scheme and authority
        const auto path = target.find('/', scheme + 3);
        target = path == std::string_view::npos ? "/" : target.substr(path);
    }
    return target.substr(0, target.find_first_of("?#"));
}

std::optional<std::variant<std::string, FileRefusal>> servedFile(std::string_view path) {
    constexpr std::string_view kPrefix = "/recordings/";
    if (path == "/summary.json") {
        return std::string(kSummaryFile);
    }
    if (path.substr(0, kPrefix.size()) == kPrefix) {
        return decodeRelativePath(path.substr(kPrefix.size()));
    }
    return std::nullopt;
}

std::variant<int, FileRefusal> openServedFile(const std::filesystem::path& outputDir,
                                              const std::string& relative) {
    const auto root = realPath(outputDir.string());
    if (!root) {
        return FileRefusal{404, "no output folder"};
    }
    const auto target = realPath(*root + "/" + relative);
    if (!target) {
        return FileRefusal{404, "no such file"};
    }
    if (!isUnder(*target, *root)) {
        return FileRefusal{403, "outside the output folder"};
    }
    const auto resolvedRelative =
        std::string_view(*target).substr(*root == "/" ? 1 : root->size() + 1);
    if (isHiddenBookkeeping(resolvedRelative)) {
        return FileRefusal{404, "bookkeeping"};
    }
    // O_NONBLOCK: opening a FIFO planted in the folder must not hang the handler.
    const int fd = ::open(target->c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        return FileRefusal{404, "cannot open"};
    }
    const auto refuse = [fd](FileRefusal refusal) {
        ::close(fd);
        return refusal;
    };
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        return refuse({404, "not a regular file"});
    }
    // A folder on the way may have been swapped for a symlink since realpath(): ask the kernel
    // what was really opened.
    std::array<char, PATH_MAX> opened{};
    const auto link = "/proc/self/fd/" + std::to_string(fd);
    const auto n = ::readlink(link.c_str(), opened.data(), opened.size() - 1);
    if (n <= 0 || !isUnder(std::string_view(opened.data(), static_cast<std::size_t>(n)), *root)) {
        return refuse({403, "outside the output folder"});
    }
    return fd;
}

RangeRequest parseRange(std::string_view header, std::uint64_t size) {
    header = core::trimmed(header);
    constexpr std::string_view kUnit = "bytes=";
    if (header.size() <= kUnit.size() || header.substr(0, kUnit.size()) != kUnit ||
        header.find(',') != std::string_view::npos) {
        return WholeFile{};
    }
    const auto spec = core::trimmed(header.substr(kUnit.size()));
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) {
        return WholeFile{};
    }
    const auto number = [](std::string_view s) -> std::optional<std::uint64_t> {
        if (s.empty() || s.size() > 19 ||
            !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        return std::stoull(std::string(s));
    };
    const auto firstText = core::trimmed(spec.substr(0, dash));
    const auto lastText = core::trimmed(spec.substr(dash + 1));
    if (firstText.empty()) {
        const auto suffix = number(lastText);
        if (!suffix) {
            return WholeFile{};
        }
        if (*suffix == 0 || size == 0) {
            return Unsatisfiable{};
        }
        return ByteRange{size - std::min(*suffix, size), size - 1};
    }
    const auto first = number(firstText);
    if (!first) {
        return WholeFile{};
    }
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!lastText.empty()) {
        const auto given = number(lastText);
        if (!given || *given < *first) {
            return WholeFile{};
        }
        last = std::min(last, *given);
    }
    if (*first >= size) {
        return Unsatisfiable{};
    }
    return ByteRange{*first, last};
}

std::string contentType(std::string_view name) {
    constexpr std::string_view kPart = ".part";
    if (name.size() > kPart.size() && name.substr(name.size() - kPart.size()) == kPart) {
        name.remove_suffix(kPart.size());
    }
    const auto dot = name.rfind('.');
    const auto slash = name.rfind('/');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
        return "application/octet-stream";
    }
    std::string extension(name.substr(dot + 1));
    for (auto& c : extension) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    static const std::array<std::pair<std::string_view, std::string_view>, 17> kTypes{{
        {"ts", "video/mp2t"},
        {"m2ts", "video/mp2t"},
        {"webm", "video/webm"},
        {"mkv", "video/x-matroska"},
        {"mp4", "video/mp4"},
        {"m4a", "audio/mp4"},
        {"flv", "video/x-flv"},
        {"mp3", "audio/mpeg"},
        {"aac", "audio/aac"},
        {"ogg", "audio/ogg"},
        {"opus", "audio/ogg"},
        {"json", "application/json"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"m3u8", "application/vnd.apple.mpegurl"},
        {"txt", "text/plain; charset=utf-8"},
        {"log", "text/plain; charset=utf-8"},
    }};
    for (const auto& [ext, type] : kTypes) {
        if (extension == ext) {
            return std::string(type);
        }
    }
    return "application/octet-stream";
}

}  // namespace confcap::status

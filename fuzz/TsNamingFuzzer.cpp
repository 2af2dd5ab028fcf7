// Names a talk in MPEG-TS bytes two ways: as they are written, in pieces whose sizes the input's
// first bytes choose (TsServiceNamer, as a recording part is named), and in a file read through
// afterwards (nameServiceInPlace, as publishing names a file). Both must leave the same bytes
// and say the same; only whole SDT packets change, and the size never does.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "FuzzCheck.h"
#include "confcap/media/TsPackets.h"
#include "confcap/sink/FileCheck.h"
#include "confcap/sink/TsServiceTags.h"

using namespace confcap;

namespace {

/// A file in memory holding `bytes`, open for reading and writing.
int memoryFile(std::string_view bytes) {
    const int fd = ::memfd_create("ts", MFD_CLOEXEC);
    fuzz::check(fd >= 0, "memfd_create failed");
    fuzz::check(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()),
                "write to a memory file failed");
    return fd;
}

std::string contentOf(int fd, std::size_t size) {
    std::string bytes(size, '\0');
    fuzz::check(::pread(fd, bytes.data(), size, 0) == static_cast<ssize_t>(size),
                "read of a memory file failed");
    return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) {
        return 0;
    }
    // Four bytes of piece sizes (1 to 1024), then the stream.
    const std::string_view sizes(reinterpret_cast<const char*>(data), 4);
    const std::string_view stream(reinterpret_cast<const char*>(data) + 4, size - 4);
    const sink::TsService names{"Ein Vortrag über Äpfel", "38C3"};

    const int afterwards = memoryFile(stream);
    const auto whole =
        sink::nameServiceInPlace("/proc/self/fd/" + std::to_string(afterwards), names);
    const auto namedAfterwards = contentOf(afterwards, stream.size());
    ::close(afterwards);

    const int written = memoryFile({});
    sink::TsServiceNamer namer(written, names);
    std::size_t at = 0;
    for (std::size_t n = 0; at < stream.size(); ++n) {
        const auto piece =
            stream.substr(at, 1 + static_cast<std::uint8_t>(sizes[n % 4]) * 4u % 1024u);
        fuzz::check(
            ::write(written, piece.data(), piece.size()) == static_cast<ssize_t>(piece.size()),
            "write to a memory file failed");
        fuzz::check(namer.feed(piece), "a rewrite failed");
        at += piece.size();
    }
    const auto named = namer.finish();
    fuzz::check(named.has_value(), "the last rewrite failed");
    const auto namedAsWritten = contentOf(written, stream.size());
    ::close(written);

    fuzz::check(namedAsWritten == namedAfterwards, "named as written differs from named after");
    fuzz::check(named->sections == whole.sections, "a different count of rewritten sections");
    fuzz::check(named->check == whole.check, "a different check");
    fuzz::check(whole.check.bytes == stream.size(), "the check does not cover the file");
    // A changed byte lies in a packet that begins with a sync byte on the SDT's PID (0x11).
    std::vector<int> mayChange(stream.size() + 1, 0);  // +1 where such a packet begins, -1 after
    for (std::size_t p = 0; p + media::kTsPacketSize <= stream.size(); ++p) {
        if (stream[p] == '\x47' && media::tsPid(stream.substr(p)) == media::kTsSdtPid) {
            ++mayChange[p];
            --mayChange[p + media::kTsPacketSize];
        }
    }
    int open = 0;
    for (std::size_t i = 0; i < stream.size(); ++i) {
        open += mayChange[i];
        fuzz::check(open > 0 || namedAfterwards[i] == stream[i], "a byte outside SDT changed");
    }
    if (whole.sections == 0) {
        fuzz::check(namedAfterwards == stream, "bytes changed without a section rewritten");
    }
    return 0;
}

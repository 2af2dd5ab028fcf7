#include "confcap/sink/TsServiceTags.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "confcap/core/Error.h"
#include "confcap/media/Bytes.h"
#include "confcap/media/TsPackets.h"

namespace confcap::sink {

namespace {

constexpr std::size_t kPacket = media::kTsPacketSize;
constexpr std::uint16_t kSdtPid = 0x0011;
constexpr std::uint8_t kSdtActual = 0x42;
/// Provider and service name together, with their encoding bytes, in one packet's section.
constexpr std::size_t kNamesRoom = 158;
/// How much of the file nameServiceInPlace reads at once.
constexpr std::size_t kReadSize = 64 * 1024;

std::uint32_t crc32Mpeg(std::string_view bytes) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i << 24;
            for (int k = 0; k < 8; ++k) {
                c = (c & 0x80000000u) != 0 ? (c << 1) ^ 0x04C11DB7u : c << 1;
            }
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t crc = 0xFFFFFFFFu;
    for (char c : bytes) {
        const auto b = static_cast<std::uint8_t>(c);
        crc = (crc << 8) ^ table[((crc >> 24) ^ b) & 0xFF];
    }
    return crc;
}

/// `text` as a DVB string: ASCII as it is, anything else marked as UTF-8, at most `limit` bytes,
/// cut between UTF-8 characters.
std::string dvbText(std::string_view text, std::size_t limit) {
    bool ascii = true;
    for (char c : text) {
        ascii = ascii && c >= 0x20 && c < 0x7F;
    }
    std::string out = ascii ? std::string() : std::string(1, '\x15');
    for (std::size_t i = 0; i < text.size();) {
        std::size_t length = 1;
        const auto c = static_cast<unsigned char>(text[i]);
        length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (out.size() + length > limit || i + length > text.size()) {
            break;
        }
        if (c >= 0x20 && c != 0x7F) {
            out.append(text.substr(i, length));
        }
        i += length;
    }
    return out == "\x15" ? std::string() : out;
}

void put16(std::string& out, std::size_t value) {
    out += static_cast<char>((value >> 8) & 0xFF);
    out += static_cast<char>(value & 0xFF);
}

}  // namespace

std::string sdtSection(std::uint16_t transportStream, std::uint16_t network,
                       std::uint16_t serviceId, std::uint8_t version, std::string_view service,
                       std::string_view provider) {
    const auto providerText = dvbText(provider, kNamesRoom / 3);
    const auto serviceText = dvbText(service, kNamesRoom - providerText.size());
    std::string descriptor;
    descriptor += '\x48';
    descriptor += static_cast<char>(3 + providerText.size() + serviceText.size());
    descriptor += '\x01';  // digital television service
    descriptor += static_cast<char>(providerText.size());
    descriptor += providerText;
    descriptor += static_cast<char>(serviceText.size());
    descriptor += serviceText;

    std::string section;
    section += static_cast<char>(kSdtActual);
    put16(section, 0xF000 | (8 + 5 + descriptor.size() + 4));
    put16(section, transportStream);
    section += static_cast<char>(0xC1 | ((version & 0x1F) << 1));
    section += '\0';  // section_number
    section += '\0';  // last_section_number
    put16(section, network);
    section += '\xFF';
    put16(section, serviceId);
    section += '\xFC';                           // no EIT
    put16(section, 0x8000 | descriptor.size());  // running, not scrambled
    section += descriptor;
    const auto crc = crc32Mpeg(section);
    put16(section, crc >> 16);
    put16(section, crc & 0xFFFF);
    return section;
}

TsServiceTagger::TsServiceTagger(std::string_view service, std::string_view provider)
    : service_(service), provider_(provider) {}

std::optional<std::string> TsServiceTagger::replacement(std::string_view p) {
    if (media::tsPid(p) != kSdtPid) {
        return std::nullopt;
    }
    if (!media::tsUnitStart(p)) {
        if (!inSection_) {
            return std::nullopt;
        }
        // The rest of a rewritten section: a null packet keeps the file's size and offsets.
        std::string null(kPacket, '\xFF');
        null[0] = '\x47';
        null[1] = '\x1F';
        null[2] = '\xFF';
        null[3] = '\x10';
        return null;
    }
    inSection_ = false;
    const auto section = media::tsSectionStart(p);
    if (section.size() < 16 || media::byteAt(section, 0) != kSdtActual) {
        return std::nullopt;
    }
    const auto u16 = [&](std::size_t i) {
        return static_cast<std::uint16_t>(media::bigEndian(section, i, 2));
    };
    // The old section goes on in later packets when it does not end in this one.
    inSection_ = 3u + (u16(1) & 0x0FFF) > section.size();
    std::string out;
    out += '\x47';
    put16(out, 0x4000 | kSdtPid);
    out += static_cast<char>(0x10 | (media::byteAt(p, 3) & 0x0F));  // the packet's own counter
    out += '\0';                                                    // pointer field
    out += sdtSection(u16(3), u16(8), u16(11), (media::byteAt(section, 5) >> 1) & 0x1F, service_,
                      provider_);
    out.resize(kPacket, '\xFF');
    ++named_;
    return out;
}

NamedInPlace nameServiceInPlace(const std::filesystem::path& file, std::string_view service,
                                std::string_view provider) {
    const auto fail = [&](const char* what) {
        return core::OutputError("Could not " + std::string(what) + " \"" + file.string() +
                                 "\": " + std::strerror(errno) + ".");
    };
    const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        throw fail("open");
    }
    TsServiceTagger tagger(service, provider);
    FileHasher hasher;
    // Read in blocks; what a block leaves (less than a packet and the byte after it) moves to
    // the front before the next read.
    std::vector<char> buffer(kReadSize);
    std::size_t held = 0;      // bytes in buffer not looked at yet, starting at `offset`
    std::uint64_t offset = 0;  // of buffer[0] in the file
    try {
        for (;;) {
            const auto n = ::read(fd, buffer.data() + held, buffer.size() - held);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                throw fail("read");
            }
            const bool end = n == 0;
            held += static_cast<std::size_t>(n);
            const std::string_view bytes(buffer.data(), held);
            // A packet is a sync byte with another one a packet later (or the file's end).
            std::size_t at = 0;
            while (at + kPacket < bytes.size() || (end && at + kPacket == bytes.size())) {
                if (!media::tsSyncAt(bytes, at)) {
                    ++at;
                    continue;
                }
                const auto patch = tagger.replacement(bytes.substr(at, kPacket));
                if (patch) {
                    if (::pwrite(fd, patch->data(), kPacket, static_cast<off_t>(offset + at)) !=
                        static_cast<ssize_t>(kPacket)) {
                        throw fail("write");
                    }
                    std::memcpy(buffer.data() + at, patch->data(), kPacket);
                }
                at += kPacket;
            }
            if (end) {
                hasher.add(bytes);
                break;
            }
            hasher.add(bytes.substr(0, at));
            std::memmove(buffer.data(), buffer.data() + at, held - at);
            held -= at;
            offset += at;
        }
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (::close(fd) != 0) {
        throw fail("write");
    }
    return {tagger.named(), hasher.done()};
}

}  // namespace confcap::sink

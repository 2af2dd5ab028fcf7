#include "confcap/sink/TsServiceTags.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
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

TsService tsServiceIn(const FileTags& tags) {
    TsService names;
    for (const auto& [key, value] : tags.tags) {
        if (key == "service_name") {
            names.name = value;
        } else if (key == "service_provider") {
            names.provider = value;
        }
    }
    return names;
}

TsServiceTagger::TsServiceTagger(const TsService& names) : names_(names) {}

std::optional<std::string> TsServiceTagger::replacement(std::string_view p) {
    if (media::tsPid(p) != media::kTsSdtPid) {
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
    put16(out, 0x4000 | media::kTsSdtPid);
    out += static_cast<char>(0x10 | (media::byteAt(p, 3) & 0x0F));  // the packet's own counter
    out += '\0';                                                    // pointer field
    out += sdtSection(u16(3), u16(8), u16(11), (media::byteAt(section, 5) >> 1) & 0x1F, names_.name,
                      names_.provider);
    out.resize(kPacket, '\xFF');
    ++named_;
    return out;
}

TsServiceNamer::TsServiceNamer(int fd, const TsService& names) : fd_(fd), tagger_(names) {}

std::size_t TsServiceNamer::settle(std::string_view bytes, std::size_t stop, bool end) {
    std::size_t at = 0;
    std::size_t hashed = 0;  // bytes[0, hashed) went to the hasher, patched where they were
    while (at < stop && (at + kPacket < bytes.size() || (end && at + kPacket == bytes.size()))) {
        if (!media::tsSyncAt(bytes, at)) {
            ++at;
            continue;
        }
        // Only packets on the SDT's PID can change: the others are not handed over.
        const auto packet = bytes.substr(at, kPacket);
        const auto patch =
            media::tsPid(packet) == media::kTsSdtPid ? tagger_.replacement(packet) : std::nullopt;
        if (patch) {
            if (::pwrite(fd_, patch->data(), kPacket, static_cast<off_t>(settled_ + at)) !=
                static_cast<ssize_t>(kPacket)) {
                return std::string_view::npos;
            }
            hasher_.add(bytes.substr(hashed, at - hashed));
            hasher_.add(*patch);
            hashed = at + kPacket;
        }
        at += kPacket;
    }
    hasher_.add(bytes.substr(hashed, at - hashed));
    settled_ += at;
    return at;
}

bool TsServiceNamer::feed(std::string_view bytes) {
    if (!held_.empty()) {
        // The packets that begin in what is held need the first bytes of these to be decided;
        // two packets' worth is enough to decide every one of them.
        const auto heldSize = held_.size();
        held_.append(bytes.substr(0, std::min(bytes.size(), 2 * kPacket)));
        const auto at = settle(held_, heldSize, false);
        if (at == std::string_view::npos) {
            return false;
        }
        if (at < heldSize) {  // too few bytes came to decide: all of them are held
            held_.erase(0, at);
            return true;
        }
        bytes.remove_prefix(at - heldSize);
        held_.clear();
    }
    const auto at = settle(bytes, std::string_view::npos, false);
    if (at == std::string_view::npos) {
        return false;
    }
    held_.assign(bytes.substr(at));
    return true;
}

std::optional<NamedInPlace> TsServiceNamer::finish() {
    const auto at = settle(held_, std::string_view::npos, true);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    hasher_.add(std::string_view(held_).substr(at));  // no whole packet: kept as it is
    held_.clear();
    return NamedInPlace{tagger_.named(), hasher_.done()};
}

NamedInPlace nameServiceInPlace(const std::filesystem::path& file, const TsService& names) {
    const auto fail = [&](const char* what) {
        return core::OutputError("Could not " + std::string(what) + " \"" + file.string() +
                                 "\": " + std::strerror(errno) + ".");
    };
    const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        throw fail("open");
    }
    std::optional<NamedInPlace> named;
    try {
        TsServiceNamer namer(fd, names);
        std::vector<char> buffer(kReadSize);
        for (;;) {
            const auto n = ::read(fd, buffer.data(), buffer.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                throw fail("read");
            }
            if (n == 0) {
                break;
            }
            // Rewrites land behind what was read: the file's position is not moved by pwrite().
            if (!namer.feed({buffer.data(), static_cast<std::size_t>(n)})) {
                throw fail("write");
            }
        }
        named = namer.finish();
        if (!named) {
            throw fail("write");
        }
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (::close(fd) != 0) {
        throw fail("write");
    }
    return *named;
}

}  // namespace confcap::sink

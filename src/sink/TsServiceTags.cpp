#include "confcap/sink/TsServiceTags.h"

#include <array>

namespace confcap::sink {

namespace {

constexpr std::size_t kPacket = 188;
constexpr std::uint16_t kPatPid = 0x0000;
constexpr std::uint16_t kSdtPid = 0x0011;
constexpr std::uint8_t kSdtActual = 0x42;
/// Provider and service name together, with their encoding bytes, in one packet's section.
constexpr std::size_t kNamesRoom = 158;

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

std::uint8_t byteAt(std::string_view p, std::size_t i) {
    return static_cast<std::uint8_t>(p[i]);
}

std::uint16_t pidOf(std::string_view p) {
    return static_cast<std::uint16_t>(((byteAt(p, 1) & 0x1F) << 8) | byteAt(p, 2));
}

/// The packet's payload, or empty when it has none.
std::string_view payloadOf(std::string_view p) {
    const auto control = (byteAt(p, 3) >> 4) & 0x3;
    std::size_t at = 4;
    if (control == 2 || control == 0) {
        return {};
    }
    if (control == 3) {
        at += 1u + byteAt(p, 4);
    }
    return at < kPacket ? p.substr(at) : std::string_view();
}

/// The start of the section a packet that starts one carries, or empty.
std::string_view sectionOf(std::string_view p) {
    if ((byteAt(p, 1) & 0x40) == 0) {
        return {};
    }
    const auto payload = payloadOf(p);
    if (payload.empty() || 1u + byteAt(payload, 0) >= payload.size()) {
        return {};
    }
    return payload.substr(1 + byteAt(payload, 0));
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

std::string TsServiceTagger::sdtPacket(std::uint16_t transportStream, std::uint16_t network,
                                       std::uint16_t service, std::uint8_t version) {
    std::string p;
    p += '\x47';
    put16(p, 0x4000 | kSdtPid);
    p += static_cast<char>(0x10 | continuity_);
    continuity_ = (continuity_ + 1) & 0x0F;
    p += '\0';  // pointer field
    p += sdtSection(transportStream, network, service, version, service_, provider_);
    p.resize(kPacket, '\xFF');
    return p;
}

void TsServiceTagger::packet(std::string_view p, std::string& out) {
    const auto pid = pidOf(p);
    if (pid == kSdtPid) {
        const auto section = sectionOf(p);
        if (section.size() < 16 || byteAt(section, 0) != kSdtActual) {
            return;  // the rest of an SDT, or another table on its PID
        }
        const auto u16 = [&](std::size_t i) {
            return static_cast<std::uint16_t>((byteAt(section, i) << 8) | byteAt(section, i + 1));
        };
        out += sdtPacket(u16(3), u16(8), u16(11), (byteAt(section, 5) >> 1) & 0x1F);
        sdtSeen_ = true;
        return;
    }
    out.append(p);
    if (pid == kPatPid && !patSeen_) {
        patSeen_ = true;
        const auto section = sectionOf(p);
        if (sdtSeen_ || section.size() < 12 || byteAt(section, 0) != 0) {
            return;
        }
        const auto u16 = [&](std::size_t i) {
            return static_cast<std::uint16_t>((byteAt(section, i) << 8) | byteAt(section, i + 1));
        };
        const std::size_t end = std::min<std::size_t>(3 + (u16(1) & 0x0FFF) - 4, section.size());
        std::uint16_t program = 1;
        for (std::size_t i = 8; i + 4 <= end; i += 4) {
            if (u16(i) != 0) {
                program = u16(i);
                break;
            }
        }
        out += sdtPacket(u16(3), 0xFF01, program, 0);
        sdtSeen_ = true;
    }
}

std::string TsServiceTagger::feed(std::string_view bytes) {
    if (carry_.empty()) {
        return consume(bytes, false);
    }
    carry_.append(bytes);
    const std::string buffer = std::move(carry_);
    carry_.clear();
    return consume(buffer, false);
}

std::string TsServiceTagger::finish() {
    const std::string buffer = std::move(carry_);
    carry_.clear();
    return consume(buffer, true);
}

std::string TsServiceTagger::consume(std::string_view bytes, bool atEnd) {
    std::string out;
    out.reserve(bytes.size() + kPacket);
    std::size_t at = 0;
    // A packet is a sync byte with another one a packet later (or the stream's end after it).
    while (at + kPacket < bytes.size() || (atEnd && at + kPacket == bytes.size())) {
        if (bytes[at] == '\x47' &&
            (at + kPacket == bytes.size() || bytes[at + kPacket] == '\x47')) {
            packet(bytes.substr(at, kPacket), out);
            at += kPacket;
        } else {
            out += bytes[at++];
        }
    }
    if (atEnd) {
        out.append(bytes.substr(at));
    } else {
        carry_.assign(bytes.substr(at));
    }
    return out;
}

}  // namespace confcap::sink

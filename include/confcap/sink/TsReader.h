// The media time of an MPEG-TS stream, read from the timestamps of its PES packets.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "confcap/media/TsPackets.h"
#include "confcap/sink/ContainerReader.h"
#include "confcap/sink/CoverageMeter.h"

namespace confcap::sink {

/// MPEG-TS: the DTS (else PTS) of every audio, video or private (0xBD) PES packet that starts in
/// a payload, per PID, in 90 kHz units that wrap at 2^33. Packets may be split across feeds;
/// after junk it finds the next packet start (0x47 a packet apart). Not thread-safe.
class TsReader final : public ContainerReader {
public:
    void feed(std::string_view bytes) override;
    /// Of the longest-covered PID.
    double seconds() const override;
    /// True once a PES timestamp was found.
    bool measured() const override;

private:
    media::TsPacketizer packets_;
    std::map<std::uint64_t, CoverageMeter::Runs> pids_;
};

}  // namespace confcap::sink

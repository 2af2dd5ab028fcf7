#include "confcap/sink/CoverageMeter.h"

#include <algorithm>

#include "confcap/sink/ContainerReader.h"

namespace confcap::sink {

namespace {

// Timestamps further apart than this (or going back by more than a frame's worth) mean the
// stream was away or started again: the stretch between is not media that was recorded.
constexpr std::int64_t kJumpSeconds = 5;

}  // namespace

void CoverageMeter::Runs::add(std::int64_t time, std::int64_t duration) {
    if (wrap_ != 0) {
        time = static_cast<std::int64_t>(static_cast<std::uint64_t>(time) % wrap_);
    }
    if (!started_) {
        started_ = true;
        runLength_ = 0;
        last_ = time;
        lastDuration_ = duration;
        return;
    }
    std::int64_t delta = time - last_;
    if (wrap_ != 0) {
        const auto half = static_cast<std::int64_t>(wrap_ / 2);
        if (delta > half) {
            delta -= static_cast<std::int64_t>(wrap_);
        } else if (delta < -half) {
            delta += static_cast<std::int64_t>(wrap_);
        }
    }
    const auto scale = static_cast<std::int64_t>(timescale_);
    if (delta <= 0 && delta > -scale / 2) {
        return;  // a repeated or slightly reordered timestamp
    }
    if (delta < 0 || delta > kJumpSeconds * scale) {
        closed_ += runLength_ + std::max(lastDuration_, step_);
        runLength_ = 0;
    } else {
        runLength_ += delta;
        step_ = delta;
    }
    last_ = time;
    lastDuration_ = duration;
}

double CoverageMeter::Runs::seconds() const {
    if (!started_ || timescale_ == 0) {
        return 0;
    }
    const auto units = closed_ + runLength_ + std::max(lastDuration_, step_);
    return static_cast<double>(units) / static_cast<double>(timescale_);
}

CoverageMeter::CoverageMeter(std::string_view extension) : reader_(containerReaderFor(extension)) {}

CoverageMeter::~CoverageMeter() = default;
CoverageMeter::CoverageMeter(CoverageMeter&&) noexcept = default;
CoverageMeter& CoverageMeter::operator=(CoverageMeter&&) noexcept = default;

void CoverageMeter::feed(std::string_view bytes) {
    if (reader_) {
        reader_->feed(bytes);
    }
}

double CoverageMeter::seconds() const {
    return reader_ ? reader_->seconds() : 0;
}

bool CoverageMeter::measured() const {
    return reader_ && reader_->measured();
}

}  // namespace confcap::sink

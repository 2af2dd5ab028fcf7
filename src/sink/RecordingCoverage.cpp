#include "confcap/sink/RecordingCoverage.h"

namespace confcap::sink {

void RecordingCoverage::resume(double seconds, bool measured) noexcept {
    earlierSeconds_ = seconds;
    earlierMeasured_ = measured;
}

void RecordingCoverage::startPiece(std::string_view extension) {
    earlierSeconds_ += pieceSeconds();
    earlierMeasured_ = earlierMeasured_ || meter_.measured();
    meter_ = CoverageMeter(extension);
    pieceExtinf_ = 0;
    pieceWall_ = 0;
}

void RecordingCoverage::wrote(std::string_view bytes, double segmentSeconds, TimePoint now) {
    meter_.feed(bytes);
    pieceExtinf_ += segmentSeconds;
    if (lastWrite_ && now > *lastWrite_) {
        pieceWall_ += std::chrono::duration<double>(now - *lastWrite_).count();
    }
    lastWrite_ = now;
}

double RecordingCoverage::seconds() const {
    return earlierSeconds_ + pieceSeconds();
}

bool RecordingCoverage::measured() const {
    return earlierMeasured_ || meter_.measured();
}

double RecordingCoverage::pieceSeconds() const {
    if (meter_.measured()) {
        return meter_.seconds();
    }
    return pieceExtinf_ > 0 ? pieceExtinf_ : pieceWall_;
}

}  // namespace confcap::sink

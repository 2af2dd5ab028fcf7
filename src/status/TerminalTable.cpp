#include "confcap/status/TerminalTable.h"

#include <algorithm>
#include <cmath>

#include "confcap/core/Format.h"
#include "confcap/run/JobTable.h"
#include "confcap/status/TextFormat.h"

namespace confcap::status {

namespace {

using std::chrono::seconds;

struct Column {
    const char* title;
    std::size_t width;
    bool right;
};

constexpr std::size_t kTalk = 1;  // the column after ROOM

std::vector<Column> columnsFor(std::size_t width) {
    std::vector<Column> columns{
        {"ROOM", width >= 100 ? 12u : 8u, false},
        {"TALK", 0, false},
        {"STATE", 10, false},
        {"RUN/LEFT", 9, true},
        {"BYTES", 7, true},
        {"RATE", 9, true},
        {"COV", 4, true},
        {"RCN", 3, true},
        {"GAPS", 6, true},
    };
    std::size_t fixed = columns.size() - 1;  // the spaces between columns
    for (const auto& column : columns) {
        fixed += column.width;
    }
    const auto usable = width - 1;
    columns[kTalk].width = usable > fixed + 10 ? usable - fixed : 10;
    return columns;
}

std::string row(const std::vector<Column>& columns, const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) {
            line.push_back(' ');
        }
        line +=
            fit(i < cells.size() ? cells[i] : std::string(), columns[i].width, columns[i].right);
    }
    // Trailing blanks of empty right-hand cells would only cost columns.
    line.erase(line.find_last_not_of(' ') + 1);
    return line;
}

std::string talkName(const JobSnapshot& job) {
    return sanitize(job.mark.talk.empty() ? job.title : job.mark.talk);
}

std::vector<std::string> activeCells(const JobSnapshot& job, core::Instant now) {
    const auto elapsed = std::chrono::duration_cast<seconds>(now - job.from);
    const auto left = std::chrono::duration_cast<seconds>(job.until - now);
    const auto percent = static_cast<long>(std::lround(coverage(job, now) * 100));
    std::string gaps = std::to_string(job.gaps);
    if (job.gaps > 0) {
        gaps += "/" + core::formatSpan(seconds(std::lround(job.gapSeconds)));
    }
    return {sanitize(job.room),
            talkName(job),
            toString(job.state),
            core::formatSpan(elapsed) + "/" + core::formatSpan(left),
            core::formatBytes(job.bytes),
            job.state == JobState::Recording ? core::formatRate(job.bitsPerSecond) : "-",
            std::to_string(percent) + "%",
            std::to_string(job.reconnects),
            gaps};
}

std::vector<std::string> waitingCells(const JobSnapshot& job, core::Instant now) {
    // A talk whose window has begun but that still waits reads "Waiting  for disk".
    const bool forDisk = job.from <= now && job.reason == run::kWaitingForDiskSpace;
    return {sanitize(job.room), talkName(job), toString(job.state),
            forDisk
                ? std::string("for disk")
                : "in " + core::formatSpan(std::chrono::duration_cast<seconds>(job.from - now))};
}

std::string clockText(core::Instant now, const date::time_zone* zone) {
    if (zone == nullptr) {
        return date::format("%T", now);
    }
    return date::format("%T", date::make_zoned(zone, now));
}

}  // namespace

TerminalTable::TerminalTable(const StatusBoard& board, Console& console, const core::Clock& clock,
                             core::Timer& timer, Options options)
    : board_(board),
      console_(console),
      clock_(clock),
      options_(options),
      zone_(displayZone(options_.zone, options_.utc)),
      timer_(timer) {}

TerminalTable::~TerminalTable() {
    stop();
}

void TerminalTable::start() {
    refresh();
    timer_.every(console_.terminal() ? options_.period : options_.summaryPeriod,
                 [this] { refresh(); });
}

void TerminalTable::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return;
        }
        stopping_ = true;
    }
    timer_.cancel();
    console_.clearBlock();
}

void TerminalTable::refresh() {
    const auto jobs = board_.jobs();
    const auto now = std::chrono::floor<seconds>(clock_.now());
    if (console_.terminal()) {
        console_.showBlock(
            render(jobs, now, console_.width(), console_.height() - 1, options_.upcoming, zone_));
    } else {
        console_.print(clockText(now, zone_) + " " + summaryLine(jobs));
    }
}

std::vector<std::string> TerminalTable::render(const std::vector<JobSnapshot>& jobs,
                                               core::Instant now, std::size_t width,
                                               std::size_t maxLines, std::size_t upcoming,
                                               const date::time_zone* zone) {
    const auto columns = columnsFor(width);
    std::vector<std::string> lines;
    lines.push_back(
        truncateToWidth("confcap " + clockText(now, zone) + "  " + summaryLine(jobs), width - 1));
    if (maxLines < 3) {
        lines.resize(std::min(lines.size(), maxLines));
        return lines;
    }
    std::vector<std::string> header;
    for (const auto& column : columns) {
        header.emplace_back(column.title);
    }
    lines.push_back(row(columns, header));

    std::vector<const JobSnapshot*> active, waiting;
    for (const auto& job : jobs) {
        if (isActive(job.state)) {
            active.push_back(&job);
        } else if (job.state == JobState::Waiting) {
            waiting.push_back(&job);
        }
    }
    auto budget = maxLines - lines.size();
    const auto more = [&](std::size_t count, const char* what) {
        lines.push_back(truncateToWidth("+ " + std::to_string(count) + " more " + what, width - 1));
    };
    if (active.empty() && budget > 0) {
        lines.emplace_back("(nothing recording)");
        --budget;
    }
    if (active.size() > budget) {
        const auto shown = budget - 1;
        for (std::size_t i = 0; i < shown; ++i) {
            lines.push_back(row(columns, activeCells(*active[i], now)));
        }
        more(active.size() - shown, "recording");
        return lines;
    }
    for (const auto* job : active) {
        lines.push_back(row(columns, activeCells(*job, now)));
    }
    budget -= active.size();
    auto shown = std::min({waiting.size(), upcoming, budget});
    if (shown < waiting.size() && shown == budget && shown > 0) {
        --shown;  // room for the "more" line
    }
    for (std::size_t i = 0; i < shown; ++i) {
        lines.push_back(row(columns, waitingCells(*waiting[i], now)));
    }
    if (shown < waiting.size() && lines.size() < maxLines) {
        more(waiting.size() - shown, "waiting");
    }
    return lines;
}

std::string TerminalTable::summaryLine(const std::vector<JobSnapshot>& jobs) {
    struct Count {
        JobState state;
        const char* word;
        int count;
    };
    std::vector<Count> counts{
        {JobState::Recording, "recording", 0},   {JobState::Retrying, "retrying", 0},
        {JobState::Finalizing, "finalizing", 0}, {JobState::Waiting, "waiting", 0},
        {JobState::Recorded, "done", 0},         {JobState::Discarded, "discarded", 0},
        {JobState::Failed, "failed", 0},         {JobState::Skipped, "skipped", 0},
        {JobState::Cancelled, "cancelled", 0},   {JobState::Interrupted, "interrupted", 0},
    };
    std::uint64_t bytes = 0;
    for (const auto& job : jobs) {
        bytes += job.bytes;
        for (auto& count : counts) {
            if (count.state == job.state) {
                ++count.count;
            }
        }
    }
    std::string line;
    for (const auto& count : counts) {
        if (count.count == 0) {
            continue;
        }
        if (!line.empty()) {
            line += ", ";
        }
        line += std::to_string(count.count) + " " + count.word;
    }
    if (line.empty()) {
        return "no jobs";
    }
    return line + "; " + core::formatBytes(bytes);
}

}  // namespace confcap::status

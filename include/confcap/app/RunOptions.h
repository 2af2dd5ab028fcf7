// Typed values of the options that plan, record, capture and demo share.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "confcap/app/CommandLine.h"
#include "confcap/core/Time.h"
#include "confcap/health/ContentHealth.h"
#include "confcap/plan/Plan.h"
#include "confcap/run/CaptureRecorder.h"
#include "confcap/run/DiskGuard.h"
#include "confcap/run/HookRunner.h"
#include "confcap/sink/FileTags.h"
#include "confcap/source/Source.h"

namespace confcap::app {

/// A size as users write it: "512K", "1M", "1MB", "2G", "1000" (bytes). Throws core::UsageError
/// naming `option` and the value when it is malformed.
std::uint64_t parseSize(const std::string& option, const std::string& value);

/// A --min-free value: a size as parseSize() reads it ("500M", "1G"), or a share of the file
/// system from 0 to 100 % ("5%", "2.5%"). Throws core::UsageError naming the option and the
/// value when it is neither.
run::MinFree parseMinFree(const std::string& value);

/// --min-free, or the default (both fields empty). Throws core::UsageError as parseMinFree.
run::MinFree minFreeOption(const Arguments& arguments);

/// The duration option `name`, or `fallback` when not given. Throws core::UsageError.
core::Seconds durationOption(const Arguments& arguments, const std::string& name,
                             core::Seconds fallback);

/// --stream and --stream-template. Throws core::UsageError for a malformed --stream.
plan::StreamMap streamMap(const Arguments& arguments);

/// --pad-before, --pad-after, --name, --windows-safe-names, --shard; --utc for names in UTC.
/// Throws core::UsageError for a bad --shard, or --shard with --shards.
plan::PlanOptions planOptions(const Arguments& arguments);

/// --variant, --stall-timeout, --ca-file, --recorder, --recorder-command (checked as
/// checkRecorder() does). The pipe folder is left to the command.
source::SourceOptions sourceOptions(const Arguments& arguments);

/// --container, or ts. Throws core::UsageError for another value and core::SourceError (exit
/// code 69) when mkv or mp4 is asked for and ffmpeg is not installed.
sink::Container containerOption(const Arguments& arguments);

/// How record and capture write a talk: sourceOptions(), --min-size (512K), --min-duration (10s),
/// containerOption(), --nfo. The folders are left to the command. Throws as those do.
run::CaptureRecorder::Options recordingOptions(const Arguments& arguments);

/// --status-port; none without. Throws core::UsageError when it is not a port number.
std::optional<std::uint16_t> statusPortOption(const Arguments& arguments);

/// --out, or ./recordings.
std::filesystem::path outputFolder(const Arguments& arguments);

/// The external recorder --recorder and --recorder-command ask for, checked to be installed;
/// nullopt for the native engine. Throws core::UsageError for a bad name or template and
/// core::SourceError (exit code 69) when the program or its supervisors are not installed.
std::optional<source::RecorderCommand> checkRecorder(const Arguments& arguments);

/// --on-recorded (checked to be installed), --hook-jobs and --hook-timeout; nullopt without
/// --on-recorded. Throws core::UsageError for a bad template or value and core::SourceError (exit
/// code 69) when the program or its supervisors are not installed.
std::optional<run::HookRunner::Options> hookOptions(const Arguments& arguments);

/// The content health thresholds of --silence-below, --silence-for, --black-for and
/// --frozen-for (each checked); nullopt with --no-health. Throws core::UsageError naming the
/// option for a level that is not a dB figure at or below 0, or a length below 1s.
std::optional<health::Thresholds> healthOptions(const Arguments& arguments);

}  // namespace confcap::app

// `confcap merge DIR… --out DIR`: one file per talk from the copies that several hosts recorded
// into their own folders, each copy filling the others' gaps.
#pragma once

#include <ostream>

#include "confcap/app/CommandLine.h"

namespace confcap::app {

/// Runs merge; returns kExitOk, or throws core::UsageError (no folders, no --out),
/// core::InputError (a folder that does not exist) or core::OutputError (--out not writable).
int runMerge(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app

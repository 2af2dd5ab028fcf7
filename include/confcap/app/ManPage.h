// The manual page confcap(1) and the bash completion, written from the option table and the
// texts that --help prints, so that the three cannot say different things.
#pragma once

#include <iosfwd>

namespace confcap::app {

/// Writes confcap(1) as roff source with the man macros to `out`: every subcommand with its
/// options, every option with its help and the subcommands that take it, the exit codes.
void writeManPage(std::ostream& out);

/// Writes a bash completion script to `out` that completes the subcommands, each subcommand's
/// options, file and folder arguments, and the values of options that take one of a few words.
void writeBashCompletion(std::ostream& out);

}  // namespace confcap::app

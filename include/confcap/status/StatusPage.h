// The HTML status page: one self-contained document (inline CSS and script, no external assets)
// with what is recording, what comes next and what is finished, linking the files. Its script
// refreshes from /api/status every 2 s; without script, a meta refresh does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/status/StatusBoard.h"

namespace confcap::status {

/// `text` with &, <, >, " and ' replaced by character references. Pure.
std::string escapeHtml(std::string_view text);

/// The page for `jobs` and `events` at `now`, with the output folder's `disk` (see diskLine)
/// when the disk guard looked at it. `json` is statusJson() for the same data; `nonce`
/// (base64 characters only) authorizes the inline style and script under the server's
/// Content-Security-Policy. When the script has rendered, it sets `data-ok="1"` on <body>; after
/// each successful refresh it counts up `data-fetched`. A waiting talk whose window has begun
/// shows why it waits ("waiting for disk space") instead of when it starts. Pure.
std::string statusPage(const std::vector<JobSnapshot>& jobs, const std::vector<Event>& events,
                       core::Instant now, std::string_view json, std::string_view nonce,
                       const std::optional<DiskSnapshot>& disk = std::nullopt);

}  // namespace confcap::status

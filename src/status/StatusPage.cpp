#include "confcap/status/StatusPage.h"

#include <cmath>

#include "confcap/core/Format.h"
#include "confcap/status/StatusJson.h"
#include "confcap/status/TerminalTable.h"
#include "confcap/status/TextFormat.h"

namespace confcap::status {

namespace {

using std::chrono::seconds;

constexpr std::size_t kEventsShown = 50;

constexpr std::string_view kStyle = R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em 2em; color: #222; background: #fafafa; }
h1 { font-size: 1.3em; margin-bottom: .2em; }
h1 span { font-weight: normal; font-size: .8em; color: #555; margin-left: 1em; }
h2 { font-size: 1.1em; margin: 1.4em 0 .4em; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { padding: .2em .6em; text-align: left; border-bottom: 1px solid #e4e4e4;
         white-space: nowrap; vertical-align: top; }
th { background: #eee; font-weight: 600; }
td:nth-child(2) { white-space: normal; }
td.empty { color: #777; font-style: italic; }
tr.recording td:nth-child(3), tr.recorded td:nth-child(3) { color: #06602a; }
tr.retrying td:nth-child(3), tr.discarded td:nth-child(3) { color: #9a5b00; }
tr.failed td:nth-child(3), tr.error td:nth-child(3) { color: #b00020; font-weight: 600; }
tr.warning td:nth-child(3) { color: #9a5b00; }
tr.skipped td, tr.cancelled td, tr.debug td { color: #777; }
#stale { display: none; background: #fde2e2; padding: .3em .6em; }
body.stale #stale { display: block; }
)CSS";

constexpr std::string_view kScript = R"JS(
(function () {
  'use strict';
  var ACTIVE = ['recording', 'retrying', 'finalizing'];
  function byId(id) { return document.getElementById(id); }
  function scaled(n, units) {
    var i = -1;
    do { n /= 1000; i += 1; } while (Math.round(n) >= 1000 && i < units.length - 1);
    return (n < 99.95 ? n.toFixed(1) : n.toFixed(0)) + ' ' + units[i];
  }
  function bytes(n) { return n < 1000 ? n + ' B' : scaled(n, ['kB', 'MB', 'GB', 'TB', 'PB']); }
  function rate(b) {
    if (!(b > 0)) { return '-'; }
    return b < 1000 ? b.toFixed(1) + ' b/s' : scaled(b, ['kb/s', 'Mb/s', 'Gb/s']);
  }
  function span(s) {
    s = Math.max(0, Math.floor(s));
    if (s < 60) { return s + 's'; }
    if (s < 3600) { return Math.floor(s / 60) + 'm'; }
    var m = Math.floor((s % 3600) / 60);
    return Math.floor(s / 3600) + 'h' + (m < 10 ? '0' : '') + m;
  }
  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  function percent(x) { return Math.round(x * 100) + '%'; }
  function gaps(j) { return j.gaps ? j.gaps + ' (' + span(j.gap_seconds) + ')' : '0'; }
  function talk(j) {
    var name = j.mark.talk || j.title;
    return j.health_flags.length ? name + ' \u2014 ' + j.health_flags.join('; ') : name;
  }
  function fileLink(j, text) {
    if (!j.url) { return ''; }
    var a = document.createElement('a');
    a.href = j.url;
    a.textContent = text || j.file;
    return a;
  }
  function row(cells, className, key) {
    var tr = document.createElement('tr');
    if (className) { tr.className = className; }
    if (key) { tr.dataset.key = key; }
    cells.forEach(function (c) {
      var td = document.createElement('td');
      if (c instanceof Node) { td.appendChild(c); } else { td.textContent = String(c); }
      tr.appendChild(td);
    });
    return tr;
  }
  function fill(id, rows, empty) {
    var body = byId(id);
    if (rows.length === 0) {
      var td = document.createElement('td');
      td.className = 'empty';
      td.colSpan = body.parentNode.tHead.rows[0].cells.length;
      td.textContent = empty;
      var tr = document.createElement('tr');
      tr.appendChild(td);
      rows = [tr];
    }
    body.replaceChildren.apply(body, rows);
  }
  function render(s) {
    var now = Date.parse(s.now);
    var active = [], upcoming = [], finished = [];
    s.jobs.forEach(function (j) {
      if (ACTIVE.indexOf(j.state) >= 0) { active.push(j); }
      else if (j.state === 'waiting') { upcoming.push(j); }
      else { finished.push(j); }
    });
    fill('active', active.map(function (j) {
      return row([j.room, talk(j), j.state, clock(j.from) + '\u2013' + clock(j.until),
                  span((now - Date.parse(j.from)) / 1000),
                  span((Date.parse(j.until) - now) / 1000), bytes(j.bytes),
                  j.state === 'recording' ? rate(j.bits_per_second) : '-', percent(j.coverage),
                  j.reconnects, gaps(j), fileLink(j, 'watch')], j.state, j.key);
    }), 'Nothing is recording.');
    fill('upcoming', upcoming.map(function (j) {
      return row([j.room, talk(j), clock(j.from) + '\u2013' + clock(j.until),
                  Date.parse(j.from) <= now && j.reason ? j.reason
                    : span((Date.parse(j.from) - now) / 1000)], j.state, j.key);
    }), 'No talks are waiting.');
    fill('finished', finished.map(function (j) {
      return row([j.room, talk(j), j.state, percent(j.coverage), bytes(j.bytes), gaps(j),
                  j.reconnects, j.reason, fileLink(j)], j.state, j.key);
    }), 'No talk has finished yet.');
    fill('events', s.events.slice(-$EVENTS_SHOWN).reverse().map(function (e) {
      var where = e.room && e.talk ? e.room + ' | ' + e.talk : e.room + e.talk;
      return row([clock(e.time), where, e.message], e.level);
    }), 'No events yet.');
    byId('line').textContent = s.summary_line;
    byId('disk').textContent = s.disk ? s.disk.line : '';
    byId('updated').textContent = new Date(s.now).toLocaleString();
    document.body.dataset.ok = '1';
  }
  function poll() {
    fetch('api/status', { cache: 'no-store' }).then(function (r) {
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.json();
    }).then(function (s) { return s; }, function () { return null; }).then(function (s) {
      // Only an unreachable server marks the page stale; a rendering error stays uncaught
      // (and reaches the console) instead of hiding behind the stale banner.
      document.body.classList.toggle('stale', s === null);
      if (s !== null) {
        render(s);
        document.body.dataset.fetched = String((Number(document.body.dataset.fetched) || 0) + 1);
      }
    }).finally(function () {
      setTimeout(poll, 2000);
    });
  }
  render(JSON.parse(byId('initial').textContent));
  setTimeout(poll, 2000);
})();
)JS";

std::string td(std::string_view text) {
    return "<td>" + escapeHtml(sanitize(text)) + "</td>";
}

std::string emptyRow(std::size_t columns, std::string_view text) {
    return "<tr><td class=\"empty\" colspan=\"" + std::to_string(columns) + "\">" +
           escapeHtml(text) + "</td></tr>\n";
}

std::string clock(core::Instant t) {
    return date::format("%R", t);
}

std::string span(core::Instant::duration d) {
    return core::formatSpan(std::chrono::duration_cast<seconds>(d));
}

std::string percent(double fraction) {
    return std::to_string(static_cast<long>(std::lround(fraction * 100))) + "%";
}

std::string gaps(const JobSnapshot& job) {
    if (job.gaps == 0) {
        return "0";
    }
    return std::to_string(job.gaps) + " (" +
           core::formatSpan(seconds(std::lround(job.gapSeconds))) + ")";
}

// The talk's name and, where its content health has any, its flags: the one place they show.
std::string talkName(const JobSnapshot& job) {
    std::string name = job.mark.talk.empty() ? job.title : job.mark.talk;
    const auto flags = healthFlags(job);
    for (std::size_t i = 0; i < flags.size(); ++i) {
        name += (i == 0 ? " \u2014 " : "; ") + flags[i];
    }
    return name;
}

std::string fileLink(const JobSnapshot& job, std::string_view text) {
    if (job.file.empty()) {
        return "<td></td>";
    }
    return "<td><a href=\"" + escapeHtml(recordingUrl(job.file)) + "\">" +
           escapeHtml(sanitize(text.empty() ? std::string_view(job.file) : text)) + "</a></td>";
}

std::string openRow(const JobSnapshot& job) {
    return "<tr class=\"" + stateName(job.state) + "\">";
}

std::string activeRows(const std::vector<JobSnapshot>& jobs, core::Instant now) {
    std::string out;
    for (const auto& job : jobs) {
        if (!isActive(job.state)) {
            continue;
        }
        out += openRow(job) + td(job.room) + td(talkName(job)) + td(stateName(job.state)) +
               td(clock(job.from) + "\u2013" + clock(job.until) + " UTC") +
               td(span(now - job.from)) + td(span(job.until - now)) +
               td(core::formatBytes(job.bytes)) +
               td(job.state == JobState::Recording ? core::formatRate(job.bitsPerSecond) : "-") +
               td(percent(coverage(job, now))) + td(std::to_string(job.reconnects)) +
               td(gaps(job)) + fileLink(job, "watch") + "</tr>\n";
    }
    return out.empty() ? emptyRow(12, "Nothing is recording.") : out;
}

std::string upcomingRows(const std::vector<JobSnapshot>& jobs, core::Instant now) {
    std::string out;
    for (const auto& job : jobs) {
        if (job.state != JobState::Waiting) {
            continue;
        }
        out += openRow(job) + td(job.room) + td(talkName(job)) +
               td(clock(job.from) + "\u2013" + clock(job.until) + " UTC") +
               td(job.from <= now && !job.reason.empty() ? job.reason : span(job.from - now)) +
               "</tr>\n";
    }
    return out.empty() ? emptyRow(4, "No talks are waiting.") : out;
}

std::string finishedRows(const std::vector<JobSnapshot>& jobs, core::Instant now) {
    std::string out;
    for (const auto& job : jobs) {
        if (!isFinal(job.state)) {
            continue;
        }
        out += openRow(job) + td(job.room) + td(talkName(job)) + td(stateName(job.state)) +
               td(percent(coverage(job, now))) + td(core::formatBytes(job.bytes)) + td(gaps(job)) +
               td(std::to_string(job.reconnects)) + td(job.reason) + fileLink(job, {}) + "</tr>\n";
    }
    return out.empty() ? emptyRow(9, "No talk has finished yet.") : out;
}

std::string eventRows(const std::vector<Event>& events) {
    std::string out;
    const auto shown = std::min(events.size(), kEventsShown);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& event = events[events.size() - 1 - i];
        const auto where = event.mark.room.empty() || event.mark.talk.empty()
                               ? event.mark.room + event.mark.talk
                               : event.mark.room + " | " + event.mark.talk;
        out += "<tr class=\"" + std::string(toString(event.level)) + "\">" +
               td(clock(std::chrono::floor<seconds>(event.time)) + " UTC") + td(where) +
               td(event.message) + "</tr>\n";
    }
    return out.empty() ? emptyRow(3, "No events yet.") : out;
}

std::string headerRow(std::initializer_list<std::string_view> titles) {
    std::string out = "<thead><tr>";
    for (const auto title : titles) {
        out += "<th>" + std::string(title) + "</th>";
    }
    return out + "</tr></thead>";
}

/// JSON inside <script>: "<" only occurs inside strings there, where \u003c means the same and
/// cannot close the element.
std::string scriptSafe(std::string_view json) {
    std::string out;
    out.reserve(json.size());
    for (const char c : json) {
        if (c == '<') {
            out += "\\u003c";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

}  // namespace

std::string escapeHtml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::string statusPage(const std::vector<JobSnapshot>& jobs, const std::vector<Event>& events,
                       core::Instant now, std::string_view json, std::string_view nonce,
                       const std::optional<DiskSnapshot>& disk) {
    const auto nonceAttribute = " nonce=\"" + escapeHtml(nonce) + "\"";
    std::string page;
    page.reserve(16384);
    page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    page += "<title>confcap status</title>\n<link rel=\"icon\" href=\"data:,\">\n";
    page += "<noscript><meta http-equiv=\"refresh\" content=\"10\"></noscript>\n";
    page += "<style" + nonceAttribute + ">" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
    page += "<h1>confcap <span id=\"line\">" + escapeHtml(TerminalTable::summaryLine(jobs)) +
            "</span></h1>\n";
    page += "<p>Updated <span id=\"updated\">" + escapeHtml(core::formatUtc(now)) +
            "</span> &middot; <a href=\"summary.json\">end-of-run summary (JSON)</a> &middot; "
            "<a href=\"api/status\">status as JSON</a> &middot; "
            "<a href=\"metrics\">metrics (Prometheus)</a></p>\n";
    page +=
        "<p id=\"disk\">" + (disk ? escapeHtml(diskLine(*disk, now)) : std::string()) + "</p>\n";
    page +=
        "<p id=\"stale\">The status could not be refreshed; this is the last known state.</p>\n";
    page += "<h2>Recording</h2>\n<table>" +
            headerRow({"Room", "Talk", "State", "Window", "Elapsed", "Left", "Bytes", "Rate",
                       "Coverage", "Reconnects", "Gaps", "File"}) +
            "\n<tbody id=\"active\">\n" + activeRows(jobs, now) + "</tbody></table>\n";
    page += "<h2>Upcoming</h2>\n<table>" + headerRow({"Room", "Talk", "Window", "Starts in"}) +
            "\n<tbody id=\"upcoming\">\n" + upcomingRows(jobs, now) + "</tbody></table>\n";
    page += "<h2>Finished</h2>\n<table>" +
            headerRow({"Room", "Talk", "core::Outcome", "Coverage", "Bytes", "Gaps", "Reconnects",
                       "Reason", "File"}) +
            "\n<tbody id=\"finished\">\n" + finishedRows(jobs, now) + "</tbody></table>\n";
    page += "<h2>Recent events</h2>\n<table>" + headerRow({"Time", "Where", "Message"}) +
            "\n<tbody id=\"events\">\n" + eventRows(events) + "</tbody></table>\n";
    page += "<script type=\"application/json\" id=\"initial\">" + scriptSafe(json) + "</script>\n";
    page += "<script" + nonceAttribute + ">" +
            replaceAll(std::string(kScript), "$EVENTS_SHOWN", std::to_string(kEventsShown)) +
            "</script>\n</body>\n</html>\n";
    return page;
}

}  // namespace confcap::status

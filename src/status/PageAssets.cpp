#include "PageAssets.h"

namespace confcap::status {

const std::string_view kPageStyle = R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em 2em; color: #222; background: #fafafa; }
h1 { font-size: 1.3em; margin-bottom: .2em; }
h1 span { font-weight: normal; font-size: .8em; color: #555; margin-left: 1em; }
h2 { font-size: 1.1em; margin: 1.4em 0 .4em; }
a { color: #0b57a4; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { padding: .2em .6em; text-align: left; border-bottom: 1px solid #e4e4e4;
         vertical-align: top; }
th { background: #eee; font-weight: 600; white-space: nowrap; }
td { white-space: nowrap; }
td.text, td.file, td.flags { white-space: normal; overflow-wrap: anywhere; }
td.empty { color: #777; font-style: italic; white-space: normal; }
tr.recording td.state, tr.recorded td.state { color: #06602a; }
tr.retrying td.state, tr.discarded td.state { color: #9a5b00; }
tr.failed td.state, tr.error td.state { color: #b00020; font-weight: 600; }
tr.warning td.state { color: #9a5b00; }
tr.skipped td, tr.cancelled td, tr.debug td { color: #777; }
#stale { display: none; background: #fde2e2; padding: .3em .6em; }
body.stale #stale { display: block; }
.scroll { overflow-x: auto; max-width: 100%; background: #fff; border: 1px solid #e4e4e4; }
svg.timeline { display: block; }
svg.timeline a text { fill: #0b3d73; }
nav.zoom a, nav.zoom strong { margin-right: .8em; white-space: nowrap; }
p.legend { font-size: .85em; color: #444; }
p.legend .key { white-space: nowrap; margin-right: .8em; }
p.legend svg { vertical-align: -1px; }
img.thumb { width: 160px; max-width: 100%; height: auto; display: block; background: #ddd; }
img.strip { width: 320px; max-width: 100%; height: auto; display: block; margin-top: .2em; }
.nothumb { width: 160px; height: 90px; background: #e0e0e0; color: #777; display: flex;
           align-items: center; justify-content: center; font-size: .85em; }
ul.flags { margin: 0; padding-left: 1.1em; color: #9a5b00; }
@media (max-width: 760px) {
  body { margin: .5em; }
  h1 span { display: block; margin-left: 0; }
  table, tbody, tr, td { display: block; width: auto; }
  thead { display: none; }
  tr { border-bottom: 1px solid #ccc; padding: .3em 0; }
  td { border: 0; white-space: normal; overflow-wrap: anywhere; padding: .05em .4em; }
  td[data-label]::before { content: attr(data-label) ": "; color: #666; font-weight: 600; }
  td[data-label]:empty { display: none; }
}
)CSS";

const std::string_view kStatusScript = R"JS(
(function () {
  'use strict';
  var ACTIVE = ['recording', 'retrying', 'finalizing'];
  var zone = 'UTC';
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
  // Times in the conference's zone, as the server writes them, whatever the browser's zone.
  function clock(iso, withSeconds) {
    var options = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone };
    if (withSeconds) { options.second = '2-digit'; }
    try {
      return new Date(iso).toLocaleTimeString('en-GB', options);
    } catch (e) {
      options.timeZone = 'UTC';
      return new Date(iso).toLocaleTimeString('en-GB', options);
    }
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
  // Each cell is [content, class] or content; the class lets long text wrap.
  function row(cells, className, key) {
    var tr = document.createElement('tr');
    if (className) { tr.className = className; }
    if (key) { tr.dataset.key = key; }
    cells.forEach(function (c) {
      var td = document.createElement('td');
      var content = c;
      if (Array.isArray(c)) { content = c[0]; td.className = c[1]; }
      if (content instanceof Node) { td.appendChild(content); }
      else { td.textContent = String(content); }
      tr.appendChild(td);
    });
    return tr;
  }
  function fill(id, rows, empty) {
    var body = byId(id);
    var heads = Array.prototype.map.call(body.parentNode.tHead.rows[0].cells,
                                         function (th) { return th.textContent; });
    if (rows.length === 0) {
      var td = document.createElement('td');
      td.className = 'empty';
      td.colSpan = heads.length;
      td.textContent = empty;
      var tr = document.createElement('tr');
      tr.appendChild(td);
      rows = [tr];
    } else {
      rows.forEach(function (r) {
        Array.prototype.forEach.call(r.cells, function (td, i) { td.dataset.label = heads[i]; });
      });
    }
    body.replaceChildren.apply(body, rows);
  }
  function windowText(j) { return clock(j.from) + '\u2013' + clock(j.until); }
  function render(s) {
    zone = s.zone || 'UTC';
    var now = Date.parse(s.now);
    var active = [], upcoming = [], finished = [];
    s.jobs.forEach(function (j) {
      if (ACTIVE.indexOf(j.state) >= 0) { active.push(j); }
      else if (j.state === 'waiting') { upcoming.push(j); }
      else { finished.push(j); }
    });
    fill('active', active.map(function (j) {
      return row([j.room, [talk(j), 'text'], [j.state, 'state'], windowText(j),
                  span((now - Date.parse(j.from)) / 1000),
                  span((Date.parse(j.until) - now) / 1000), bytes(j.bytes),
                  j.state === 'recording' ? rate(j.bits_per_second) : '-', percent(j.coverage),
                  j.reconnects, gaps(j), [fileLink(j, 'watch'), 'file']], j.state, j.key);
    }), 'Nothing is recording.');
    fill('upcoming', upcoming.map(function (j) {
      return row([j.room, [talk(j), 'text'], windowText(j),
                  [Date.parse(j.from) <= now && j.reason ? j.reason
                    : span((Date.parse(j.from) - now) / 1000), 'text']], j.state, j.key);
    }), 'No talks are waiting.');
    fill('finished', finished.map(function (j) {
      return row([j.room, [talk(j), 'text'], [j.state, 'state'], percent(j.coverage),
                  bytes(j.bytes), gaps(j), j.reconnects, [j.reason, 'text'],
                  [fileLink(j), 'file']], j.state, j.key);
    }), 'No talk has finished yet.');
    fill('events', s.events.slice(-$EVENTS_SHOWN).reverse().map(function (e) {
      var where = e.room && e.talk ? e.room + ' | ' + e.talk : e.room + e.talk;
      return row([clock(e.time), [where, 'text'], [e.message, 'text']], e.level);
    }), 'No events yet.');
    if (s.timeline) { byId('timeline').innerHTML = s.timeline; }
    byId('line').textContent = s.summary_line;
    byId('disk').textContent = s.disk ? s.disk.line : '';
    byId('updated').textContent = clock(s.now, true);
    document.body.dataset.ok = '1';
    document.body.dataset.width = String(document.documentElement.scrollWidth);
  }
  function query() {
    var q = new URLSearchParams(location.search);
    q.set('timeline', 'svg');
    return q.toString();
  }
  function poll() {
    fetch('api/status?' + query(), { cache: 'no-store' }).then(function (r) {
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

}  // namespace confcap::status

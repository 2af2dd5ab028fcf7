#!/usr/bin/env python3
"""Writes a frab schedule.xml of TALKS talks to stdout, shaped like a congress's: 20 rooms of 50
talks a day, each talk with the fields a real schedule gives (abstract, description, persons).
Usage: bench/big-schedule.py TALKS"""
import sys
import uuid

talks = int(sys.argv[1])
rooms, per_day = 20, 50
days = -(-talks // (rooms * per_day))


def guid(name):
    return uuid.uuid5(uuid.NAMESPACE_URL, name)


out = sys.stdout
out.write('<?xml version="1.0" encoding="UTF-8"?>\n<schedule>\n  <version>bench</version>\n'
          '  <conference>\n    <acronym>bench</acronym>\n    <title>Generated Conference</title>\n'
          '    <time_zone_name>Europe/Berlin</time_zone_name>\n  </conference>\n')
n = 0
for d in range(days):
    date = f"2030-{1 + d // 28:02d}-{1 + d % 28:02d}"
    out.write(f'  <day date="{date}" index="{d + 1}">\n')
    for r in range(rooms):
        if n >= talks:
            break
        out.write(f'    <room name="Room {r + 1}" guid="{guid(f"room{r}")}">\n')
        for t in range(per_day):
            if n >= talks:
                break
            n += 1
            minutes = 8 * 60 + t * 20
            start = f"{minutes // 60:02d}:{minutes % 60:02d}"
            out.write(f'''      <event guid="{guid(str(n))}" id="{n}">
        <date>{date}T{start}:00+01:00</date>
        <start>{start}</start>
        <duration>00:20</duration>
        <room>Room {r + 1}</room>
        <slug>bench-{n}-talk-number-{n}</slug>
        <url>https://example.org/bench/talk/{n}/</url>
        <title>Talk number {n} about &amp; things</title>
        <subtitle>Subtitle of talk {n}</subtitle>
        <language>en</language>
        <track>Track {n % 7}</track>
        <type>Talk</type>
        <abstract>An abstract of talk {n}, some sentences long so that the file holds as much text per talk as a real schedule does. It says what the talk is about and who should come.</abstract>
        <description>A longer description of talk {n}. It goes on for a while, as descriptions do, with details on the subject, the speakers and what one may take home from it. Nothing in it is read by the listing, but the parser still has to get past it.</description>
        <persons>
          <person guid="{guid(f"p{n}")}">Speaker {n}</person>
          <person guid="{guid(f"q{n % 500}")}">Co-Speaker {n % 500}</person>
        </persons>
        <links/>
      </event>
''')
        out.write('    </room>\n')
    out.write('  </day>\n')
out.write('</schedule>\n')

#!/usr/bin/env python3
"""Reads what confcap's /metrics served (a file) with the Prometheus client's text parser.

Exit status: 0 when every family confcap exposes is there with its type and help, and a talk is
recording with bytes and its room's tape written (stdout then has that talk as a JSON object:
room, talk, id, bytes); 1 when the document is fine but no talk records so yet; 2 when the document is malformed or a
family is missing (stdout says why, in one line).
"""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families

# Family names as the parser gives them: a counter's family drops its samples' "_total".
FAMILIES = {
    "confcap_talk_state": "gauge",
    "confcap_talk_bytes": "gauge",
    "confcap_talk_covered_seconds": "gauge",
    "confcap_talk_gap_seconds": "gauge",
    "confcap_talk_disk_full_seconds": "gauge",
    "confcap_talk_reconnects": "counter",
    "confcap_talk_silent_seconds": "gauge",
    "confcap_talk_black_seconds": "gauge",
    "confcap_talk_frozen_seconds": "gauge",
    "confcap_talk_loudness_lufs": "gauge",
    "confcap_talk_seconds_since_last_byte": "gauge",
    "confcap_room_in_window": "gauge",
    "confcap_room_seconds_since_last_byte": "gauge",
    "confcap_talks_finished": "gauge",
    "confcap_schedule_refreshes": "counter",
    "confcap_schedule_refresh_failures": "counter",
    "confcap_schedule_last_refresh_timestamp_seconds": "gauge",
    "confcap_schedule_refresh_interval_seconds": "gauge",
    "confcap_hooks": "counter",
    "confcap_disk_free_bytes": "gauge",
    "confcap_disk_needed_bytes": "gauge",
    "confcap_disk_min_free_bytes": "gauge",
    "confcap_tape_bytes": "gauge",
    "confcap_tape_writing": "gauge",
}
OUTCOMES = {"recorded", "discarded", "failed", "skipped", "cancelled", "interrupted"}
TALK_LABELS = {"room", "talk", "id"}


def fail(code, message):
    print(message)
    sys.exit(code)


def main(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        families = {family.name: family for family in text_string_to_metric_families(text)}
    except ValueError as error:
        fail(2, f"not the text format: {error}")

    for name, family in families.items():
        if family.type not in ("gauge", "counter"):
            fail(2, f"{name}: type {family.type} (a sample outside its family?)")
        if not family.documentation:
            fail(2, f"{name}: no HELP")
    for name, kind in FAMILIES.items():
        if name not in families:
            fail(2, f"family {name} is missing")
        if families[name].type != kind:
            fail(2, f"{name} is a {families[name].type}, not a {kind}")
    extra = set(families) - set(FAMILIES)
    if extra:
        fail(2, f"families not checked here: {sorted(extra)}")

    def samples(name):
        return families[name].samples

    for name in FAMILIES:
        for sample in samples(name):
            if name.startswith("confcap_talk_") and set(sample.labels) != TALK_LABELS | (
                {"state"} if name == "confcap_talk_state" else set()
            ):
                fail(2, f"{sample.name} has labels {sorted(sample.labels)}")
            if sample.value < 0 and name != "confcap_talk_loudness_lufs":
                fail(2, f"{sample.name}{sample.labels} is negative")

    outcomes = {s.labels["outcome"] for s in samples("confcap_talks_finished")}
    if outcomes != OUTCOMES:
        fail(2, f"outcomes {sorted(outcomes)}")
    for name in ("confcap_schedule_refreshes", "confcap_schedule_refresh_failures"):
        if len(samples(name)) != 1:
            fail(2, f"{name}: {len(samples(name))} samples")
    if samples("confcap_schedule_last_refresh_timestamp_seconds")[0].value < 1.6e9:
        fail(2, "the last refresh is not a Unix time")
    for name in ("confcap_disk_free_bytes", "confcap_disk_needed_bytes",
                 "confcap_disk_min_free_bytes"):
        if len(samples(name)) != 1:
            fail(2, f"{name}: {len(samples(name))} samples")
    if samples("confcap_disk_free_bytes")[0].value <= 0:
        fail(2, "no free bytes on the output folder's disk")

    def by_id(name):
        return {s.labels["id"]: s for s in samples(name)}

    bytes_of = by_id("confcap_talk_bytes")
    since_of = by_id("confcap_talk_seconds_since_last_byte")
    in_window = {s.labels["room"]: s.value for s in samples("confcap_room_in_window")}
    taping = {s.labels["room"]: s.value for s in samples("confcap_tape_writing")}
    for state in samples("confcap_talk_state"):
        if state.value != 1:
            fail(2, f"{state.labels} has the value {state.value}")
        talk = state.labels["id"]
        if talk not in bytes_of:
            fail(2, f"talk {talk} has a state but no bytes")
        if state.labels["state"] != "recording" or bytes_of[talk].value <= 0:
            continue
        if talk not in since_of or since_of[talk].value > 30:
            fail(2, f"talk {talk} records, but its last byte is not recent")
        if in_window.get(state.labels["room"]) != 1:
            fail(2, f"room {state.labels['room']} records but is not in its window")
        if taping.get(state.labels["room"]) != 1:
            continue  # its tape is told on the next tick

        print(json.dumps({"room": state.labels["room"], "talk": state.labels["talk"],
                          "id": talk, "bytes": bytes_of[talk].value}, ensure_ascii=False))
        return 0
    fail(1, "no talk records with bytes yet")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail(2, "usage: check_metrics.py FILE")
    sys.exit(main(sys.argv[1]))

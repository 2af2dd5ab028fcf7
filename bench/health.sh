#!/usr/bin/env bash
# The cost of the content health check: a 720p talk of MINUTES minutes (H.264 at 25 frames per
# second with a key frame every 2 s, as live streams cut them, and AAC) is generated once with
# ffmpeg, then measured the way confcap measures a finished talk (the probe, then one ffmpeg run
# of silencedetect, ebur128, blackdetect and freezedetect as health::analysisArguments builds it)
# and its two thumbnails are drawn. Prints a table row: the CPU seconds (user + system) of each
# step and of all, per hour of recorded talk.
# Usage: bench/health.sh [MINUTES]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
seconds=$((minutes * 60))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
talk=$work/talk.ts
ffmpeg -hide_banner -nostdin -loglevel error -f lavfi -i "testsrc2=size=1280x720:rate=25" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$seconds" -c:v libx264 \
    -preset ultrafast -g 50 -b:v 2500k -c:a aac -b:a 128k "$talk"

# CPU seconds (user + system) of one command, its children included.
cpu() {
    /usr/bin/time -o "$work/time" -f '%U %S' "$@" >/dev/null 2>&1
    awk '{ printf "%.2f", $1 + $2 }' "$work/time"
}
# ffmpeg without an output exits with 1: time it through a shell that ignores that.
probe=$(cpu sh -c "ffmpeg -hide_banner -nostdin -i '$talk' 2>/dev/null; true")
analysis=$(cpu nice -n 19 ffmpeg -hide_banner -nostdin -stats -stats_period 60 -threads 1 \
    -skip_frame:v nokey -i "$talk" -filter_threads 1 -filter_complex \
    "[0:a:0]silencedetect=noise=-50.0dB:d=30,ebur128=framelog=verbose[audio];[0:v:0]fps=5,scale=-2:90,blackdetect=d=30,freezedetect=n=-40.0dB:d=30[video]" \
    -map "[audio]" -map "[video]" -f null -)
middle=$(cpu nice -n 19 ffmpeg -hide_banner -nostdin -loglevel error -threads 1 \
    -ss "$((seconds / 2))" -i "$talk" -map 0:v:0 -vf scale=-2:360 -frames:v 1 -q:v 4 -f mjpeg \
    -y "$work/middle.jpg")
strip_inputs=()
graph=
stack=
for i in 0 1 2 3 4 5; do
    strip_inputs+=(-threads 1 -ss "$(awk -v s="$seconds" -v i="$i" 'BEGIN { print (s - 5) * (i + 0.5) / 6 }')" -i "$talk")
    graph+="[$i:v:0]scale=-2:160,setsar=1[f$i];"
    stack+="[f$i]"
done
strip=$(cpu nice -n 19 ffmpeg -hide_banner -nostdin -loglevel error "${strip_inputs[@]}" \
    -filter_complex "${graph}${stack}hstack=inputs=6[strip]" -map "[strip]" -frames:v 1 -q:v 4 \
    -f mjpeg -y "$work/strip.jpg")
perHour() { awk -v c="$1" -v s="$seconds" 'BEGIN { printf "%.1f", c * 3600 / s }'; }
total=$(awk -v a="$probe" -v b="$analysis" -v c="$middle" -v d="$strip" 'BEGIN { print a + b + c + d }')
printf '%-34s %10s %10s %10s %10s %12s\n' "talk" "probe s" "analysis s" "thumbs s" "total s" "CPU s/hour"
printf '%-34s %10s %10s %10s %10s %12s\n' "${minutes} min 720p25 H.264 2.5 Mb/s + AAC" "$probe" \
    "$analysis" "$(awk -v a="$middle" -v b="$strip" 'BEGIN { print a + b }')" "$total" "$(perHour "$total")"

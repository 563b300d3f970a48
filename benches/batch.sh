#!/usr/bin/env bash
# Whole-process cost of `ask --json` over 400 questions on stdin (release
# build): wall time and peak memory, best of 5 runs.
#   bash benches/batch.sh
# Needs GNU time (`apt-get install time` where /usr/bin/time is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bot=target/release/cspo-pspo-bot
questions=$(mktemp)
trap 'rm -f "$questions"' EXIT
# The regression questions, repeated up to 400 lines.
grep -v '^#' tests/regression/questions.tsv | cut -f1 | grep -v '^$' > "$questions.one"
while [ "$(wc -l < "$questions")" -lt 400 ]; do cat "$questions.one" >> "$questions"; done
head -n 400 "$questions" > "$questions.400" && mv "$questions.400" "$questions"
rm -f "$questions.one"
best_ms=""; best_kb=""
for _ in 1 2 3 4 5; do
    # GNU time's own clock has 10 ms steps, so the wall time comes from
    # the shell's nanosecond clock; time gives the peak memory.
    start=$(date +%s%N)
    out=$( { /usr/bin/time -f "%M" "$bot" ask --json < "$questions" > /dev/null; } 2>&1 | tail -n 1)
    end=$(date +%s%N)
    ms=$(( (end - start) / 100000 )); kb=$out  # tenths of a millisecond
    if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
    if [ -z "$best_kb" ] || [ "$kb" -lt "$best_kb" ]; then best_kb=$kb; fi
done
echo "ask --json, 400 questions: $((best_ms / 10)).$((best_ms % 10)) ms wall (best of 5), peak RSS $((best_kb / 1024)) MB (${best_kb} KB)"

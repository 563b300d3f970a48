#!/usr/bin/env bash
# Load test of the HTTP interactions endpoint: verified /ask requests.
#
#   benches/http_load.sh            # 64 connections, 10 seconds
#   CONNECTIONS=128 DURATION=30s benches/http_load.sh
#
# Builds the release binary, starts `serve-http` on loopback with a fresh
# test key, checks one signed /ask by hand, then runs wrk with
# benches/http_ask.lua (the same pre-signed /ask on every request, so each
# one pays for the signature check, parsing, matching and the reply) and
# reports the server's peak memory (VmHWM). Needs wrk (apt-get install wrk)
# and curl. Logging stays at its default (info, one line per request), into
# a temporary file.
set -euo pipefail

cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
PORT=${PORT:-18080}
BODY_FILE=${BODY_FILE:-benches/ask_interaction.json}
LUA=benches/http_ask.lua

for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done

echo "== building (release)"
cargo build --release --quiet --bin cspo-pspo-bot --example sign

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A fresh key pair and the body signed now (valid for five minutes).
eval "$(target/release/examples/sign "$BODY_FILE")"
export BODY_FILE SIGNATURE SIGNATURE_TIMESTAMP

echo "== starting serve-http on 127.0.0.1:$PORT"
# Every request is the same user's, which is exactly what the per-user
# rate limit is there to slow down: it is turned off to measure answering.
DISCORD_PUBLIC_KEY=$DISCORD_PUBLIC_KEY KNOWLEDGE_DIR=knowledge RUST_LOG=${RUST_LOG:-info} \
  RATE_LIMIT_BURST=0 UNANSWERED_LOG="$work/unanswered.jsonl" FEEDBACK_LOG="$work/feedback.jsonl" \
  target/release/cspo-pspo-bot serve-http --addr "127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null

echo "== one signed /ask by hand"
status=$(curl -sS -o "$work/reply.json" -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/interactions" \
  -H 'Content-Type: application/json' \
  -H "X-Signature-Ed25519: $SIGNATURE" -H "X-Signature-Timestamp: $SIGNATURE_TIMESTAMP" \
  --data-binary "@$BODY_FILE")
[[ "$status" == 200 ]] || { echo "error: expected 200, got $status"; cat "$work/reply.json"; exit 1; }
grep -q '"type":4' "$work/reply.json" || { echo "error: not a message reply"; cat "$work/reply.json"; exit 1; }
head -c 160 "$work/reply.json"; echo " ..."

# CPU ticks: the whole machine, and the server alone (wrk's come from time).
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
server_ticks() { awk '{print $14+$15}' "/proc/$server_pid/stat"; }
timer=()
echo "0 0" >"$work/wrk.time"
[[ -x /usr/bin/time ]] && timer=(/usr/bin/time -o "$work/wrk.time" -f '%U %S')
m0=$(machine_ticks); s0=$(server_ticks); t0=$(date +%s%N)

echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s $LUA"
"${timer[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "http://127.0.0.1:$PORT" | tee "$work/wrk.txt"

m1=$(machine_ticks); s1=$(server_ticks); t1=$(date +%s%N)
hz=$(getconf CLK_TCK)
capacity=$(( (t1 - t0) * hz * $(nproc) / 1000000000 ))
wrk_ticks=$(awk -v hz="$hz" '{printf "%d", ($1 + $2) * hz}' "$work/wrk.time")

peak_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$server_pid/status")
now_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")
metrics=$(curl -fsS "http://127.0.0.1:$PORT/metrics")
answered=$(awk '/^cspo_pspo_bot_interactions_total\{type="command",command="ask"\}/ {print $2}' <<<"$metrics")
refused=$(awk '/^cspo_pspo_bot_signature_failures_total/ {s += $2} END {print s + 0}' <<<"$metrics")

echo "== summary"
echo "requests/s:        $(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")"
echo "p50 / p99 latency: $(awk '$1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2} END {print p50 " / " p99}' "$work/wrk.txt")"
echo "errors:            $(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" || echo none)"
echo "verified /ask:     ${answered:-0} (signature failures: $refused)"
echo "server peak RSS:   $((peak_kb / 1024)) MiB (${peak_kb} kB VmHWM; now ${now_kb} kB)"
echo "server CPU:        $(( (s1 - s0) * 1000000 / hz / ${answered:-1} )) us per request"
# Anything else running (other builds, say) competes for the same cores.
others=$(( m1 - m0 - (s1 - s0) - wrk_ticks ))
echo "CPU share:         server $(( (s1 - s0) * 100 / capacity ))%, wrk $(( wrk_ticks * 100 / capacity ))%, other processes $(( (others > 0 ? others : 0) * 100 / capacity ))% of $(nproc) cores"
echo "log lines written: $(wc -l <"$work/server.log")"

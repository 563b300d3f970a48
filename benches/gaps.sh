#!/usr/bin/env bash
# How long `gaps` takes over an unanswered log of 100,000 lines.
#   bash benches/gaps.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir/unanswered.jsonl" <<'PY'
import json, random, sys
random.seed(7)
stems = ["how much is pspo", "what is the pass mark for cspo", "is safe popm better", "pspo exam language",
         "how many questions on pspo i", "can i retake cspo", "salary of a product owner", "is cspo hard"]
with open(sys.argv[1], "w") as f:
    for i in range(100_000):
        q = random.choice(stems) + random.choice(["", "?", "??", " please", " thanks"]) + (" x%d" % random.randrange(2000) if i % 3 == 0 else "")
        f.write(json.dumps({"time": "2026-11-%02dT10:00:00Z" % (1 + i % 28), "question": q, "transport": "slash",
                            "guild_id": 1, "channel_id": 2, "candidate": None, "score": 0.0}) + "\n")
PY
start=$(date +%s%N)
UNANSWERED_LOG="$dir/unanswered.jsonl" FEEDBACK_LOG="$dir/feedback.jsonl" target/release/cspo-pspo-bot gaps --top 5 > /dev/null
end=$(date +%s%N)
echo "gaps over 100,000 log lines: $(( (end - start) / 1000000 )) ms"

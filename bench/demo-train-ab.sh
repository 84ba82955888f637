#!/usr/bin/env bash
# Interleaved A/B of one `rlif demo` training run between two rlif checkouts: the config the demo writes for the
# verifiable arm from models/word-base (seed 1; 8 problems x 8 samples, 96 new tokens, full training at 1e-4), STEPS
# steps through each checkout's own bin/rlif (which builds its own jar), ROUNDS rounds of A then B at nice 5.
# Prints per run the wall seconds, peak RSS, load average and the per-step means of the trainer's `seconds_*`
# columns (metrics.jsonl), then B/A of the mean wall and of each column. Both sides train the same model files
# (this checkout's models/word-base). Usage, e.g. against 01b1fd4:
#   git worktree add /tmp/rlif-old 01b1fd4
#   bench/demo-train-ab.sh /tmp/rlif-old . [ROUNDS=3] [STEPS=30]
# RLIF_JAVA_OPTS_A / RLIF_JAVA_OPTS_B pass JVM options to one side (e.g. -Drlif.releaseMemory=false).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
a="$(cd "$1" && pwd)"; b="$(cd "$2" && pwd)"; rounds="${3:-3}"; steps="${4:-30}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/config.yaml" <<EOF
seed: 1
objective: grpo
model: $root/models/word-base
data: {source: "word-problems:steps=2", prompt_format: plain}
trainable: {full: true}
eval: {limit: 8, max_new_tokens: 96}
grpo:
  max_steps: $steps
  learning_rate: 1.0e-4
  lr_scheduler_type: constant
  max_grad_norm: 1.0
  prompts_per_step: 8
  num_generations: 8
  max_completion_length: 96
  temperature: 1.0
  logging_steps: 1
  eval_steps: 0
  save_steps: $steps
  reward: {verifiable: 1.0}
EOF
for i in $(seq 1 "$rounds"); do
  for side in A B; do
    dir="$a"; opts="${RLIF_JAVA_OPTS_A:-}"
    if [ "$side" = B ]; then dir="$b"; opts="${RLIF_JAVA_OPTS_B:-}"; fi
    load="$(cut -d' ' -f1-3 /proc/loadavg)"
    (cd "$dir" && RLIF_JAVA_OPTS="$opts" /usr/bin/time -f "%e %M" -o "$work/time" nice -n 5 bin/rlif train \
        --config "$work/config.yaml" --out "$work/$side-$i" > /dev/null 2> "$work/err") \
      || { tail -n 20 "$work/err" >&2; exit 1; }
    python3 - "$work/$side-$i/metrics.jsonl" "$(cat "$work/time")" "$side" "$i" "$load" <<'PY'
import json, sys
rows = [r for r in map(json.loads, open(sys.argv[1])) if "seconds_rollout" in r]
wall, rss = sys.argv[2].split()
cols = sorted({k for r in rows for k in r if k.startswith("seconds_")})
print("%s round %s: %s s wall, peak RSS %d MB, load %s; per step: %s" % (sys.argv[3], sys.argv[4], wall,
      int(rss) // 1024, sys.argv[5], " ".join("%s %.3f" % (k[8:], sum(r.get(k, 0) for r in rows) / len(rows))
                                               for k in cols)))
json.dump({"wall": float(wall), **{k: sum(r.get(k, 0) for r in rows) / len(rows) for k in cols}},
          open(sys.argv[1] + ".summary.json", "w"))
PY
  done
done
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
s = {side: [json.load(open("%s/%s-%d/metrics.jsonl.summary.json" % (work, side, i + 1))) for i in range(rounds)]
     for side in "AB"}
for key in s["A"][0]:
    a = statistics.mean(r[key] for r in s["A"]); b = statistics.mean(r[key] for r in s["B"])
    if a > 0:
        print("B/A %-20s %.3f (A %.3f, B %.3f)" % (key, b / a, a, b))
PY

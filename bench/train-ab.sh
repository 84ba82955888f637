#!/usr/bin/env bash
# Interleaved A/B of `rlif bench train --quick --threads 1` between two builds of the CLI (e.g. main's and a
# branch's): ROUNDS rounds, each running A then B, printing per round the step's wall and CPU seconds (CPU: the
# calling thread's, which other jobs on a shared machine do not inflate; only builds that report it) and the
# process's peak RSS, then the B/A ratios of the means. Usage:
#   bench/train-ab.sh A/cli/target/rlif-cli.jar B/cli/target/rlif-cli.jar [ROUNDS]
set -euo pipefail
a="$1"; b="$2"; rounds="${3:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java="$("$root/bin/jdk")/bin/java"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$rounds"); do
  for side in A B; do
    jar="$a"; [ "$side" = B ] && jar="$b"
    /usr/bin/time -f "%M" -o "$work/rss" "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
      -Xss4m -jar "$jar" bench train --quick --threads 1 --json "$work/$side-$i.json" > /dev/null 2> "$work/err" \
      || { cat "$work/err" >&2; exit 1; }
    python3 - "$work/$side-$i.json" "$(cat "$work/rss")" "$side" "$i" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
wall = d["rollout_seconds"] + d["train_graph_seconds"] + d["optimizer_seconds"]
cpu = d.get("step_cpu_seconds")
print("%s round %s: step %.3f s wall, %s cpu, training graph %.3f s wall; peak RSS %.0f MB; load %s" % (
    sys.argv[3], sys.argv[4], wall, "%.4f s" % cpu if cpu is not None else "n/a", d["train_graph_seconds"],
    int(sys.argv[2]) / 1024, sys.argv[5]))
PY
  done
done
python3 - "$work" "$rounds" <<'PY'
import json, sys, statistics
work, rounds = sys.argv[1], int(sys.argv[2])
def mean(side, key):
    vals = [json.load(open("%s/%s-%d.json" % (work, side, i + 1))).get(key) for i in range(rounds)]
    return None if None in vals else statistics.mean(vals)
for key in ("step_cpu_seconds", "train_graph_cpu_seconds", "train_graph_seconds"):
    a, b = mean("A", key), mean("B", key)
    if a is not None and b is not None:
        print("B/A %-24s %.3f (A %.4f, B %.4f)" % (key, b / a, a, b))
wa = statistics.mean(sum(json.load(open("%s/A-%d.json" % (work, i + 1)))[k] for k in ("rollout_seconds", "train_graph_seconds", "optimizer_seconds")) for i in range(rounds))
wb = statistics.mean(sum(json.load(open("%s/B-%d.json" % (work, i + 1)))[k] for k in ("rollout_seconds", "train_graph_seconds", "optimizer_seconds")) for i in range(rounds))
print("B/A %-24s %.3f (A %.4f, B %.4f)" % ("step wall seconds", wb / wa, wa, wb))
PY

#!/usr/bin/env python3
"""Cross-check: spark-score's output against rlif score's on the same inputs.

Usage: tools/.venv/bin/python tools/compare_spark_score.py SCORE_OUT SPARK_OUT
(pyarrow in a venv: python3 -m venv tools/.venv && tools/.venv/bin/pip install pyarrow)

For every model sub-folder of SCORE_OUT (a multi-model `rlif score --out`):
  - rows: every row of SCORE_OUT/<model>/rollouts.jsonl against the Parquet rows of
    SPARK_OUT/rollouts/model=<model>, field by field (JSON values; doubles compared exactly);
  - summary.json: every field except this invocation's timing and throughput (throughput,
    wall_seconds, phase_seconds, resumed_rollouts) and spark-score's own `spark` block; of the
    provenance stamp, the rlif version, git commit and model digest (not the date or command line);
and comparison.json against comparison.json. Prints one line per check and exits 1 on any difference.
"""
import json
import math
import sys
from pathlib import Path

import pyarrow.parquet as pq

TIMING = {"throughput", "wall_seconds", "phase_seconds", "resumed_rollouts", "spark", "provenance"}
# of the provenance stamp, what must agree (the date and the command line differ by nature)
PROVENANCE = ("rlif_version", "git_commit", "model_digest")


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def main(score_out, spark_out):
    score_out, spark_out = Path(score_out), Path(spark_out)
    failures = 0
    models = sorted(p.name for p in score_out.iterdir() if (p / "rollouts.jsonl").exists())
    for model in models:
        local = [json.loads(l) for l in (score_out / model / "rollouts.jsonl").read_text().splitlines() if l]
        table = pq.read_table(spark_out / "rollouts" / f"model={model}").to_pylist()
        spark = {(r["prompt_index"], r["sample"]): r for r in table}
        diffs = 0
        for row in local:
            other = spark.get((row["prompt_index"], row["sample"]))
            if other is None or any(not same(v, other.get(k)) for k, v in row.items()):
                diffs += 1
        ok = diffs == 0 and len(table) == len(local)
        print(f"{model}: rows {len(local)} local, {len(table)} spark, {diffs} differ" + ("" if ok else "  <-- DIFFERENT"))
        failures += not ok
        a = json.loads((score_out / model / "summary.json").read_text())
        b = json.loads((spark_out / model / "summary.json").read_text())
        keys = sorted((set(a) | set(b)) - TIMING)
        bad = [k for k in keys if not same(a.get(k), b.get(k))]
        bad += ["provenance." + k for k in PROVENANCE if a.get("provenance", {}).get(k) != b.get("provenance", {}).get(k)]
        print(f"{model}: summary.json, {len(keys)} fields compared exactly, {len(bad)} differ {bad if bad else ''}")
        failures += bool(bad)
    a = json.loads((score_out / "comparison.json").read_text())
    b = json.loads((spark_out / "comparison.json").read_text())
    print(f"comparison.json: {'identical' if same(a, b) else 'DIFFERENT'}")
    failures += not same(a, b)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

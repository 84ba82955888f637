"""Print a run's metrics.jsonl without what differs between two runs of the same settings by construction (the
wall-clock seconds, the resident memory and the provenance stamp, which holds the command line, date and config digest), one row per
line with sorted keys, so that `diff` of two runs shows only differences in what was learned and measured:

    python3 tools/metrics_without_timings.py A/metrics.jsonl > a.txt
    python3 tools/metrics_without_timings.py B/metrics.jsonl > b.txt
    diff a.txt b.txt && echo identical
"""
import json
import sys


def timing(key):
    return (key.startswith("seconds") or key.endswith("_seconds") or key.endswith("per_second")
            or key.startswith("memory/"))


with open(sys.argv[1], encoding="utf-8") as rows:
    for line in rows:
        row = json.loads(line)
        row.pop("provenance", None)
        print(json.dumps({k: v for k, v in row.items() if not timing(k)}, sort_keys=True))

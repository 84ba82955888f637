"""Writes a copy of a prompts file (JSONL with prompt_ids) whose prompt i is cut to LENGTH - STEP * i tokens, so a batch
of them is left-padded unevenly (the peer benchmark's own prompts all have one length, so its batches have no padding).
Used for docs/quantization.md's check of ORT-GenAI's GroupQueryAttention exports on padded batches:

    python3 bench/peer/uneven_prompts.py bench/peer/.work/prompts-smollm2.jsonl /tmp/prompts-uneven.jsonl
"""
import argparse
import json

ap = argparse.ArgumentParser()
ap.add_argument("source")
ap.add_argument("out")
ap.add_argument("--length", type=int, default=64)
ap.add_argument("--step", type=int, default=5)
a = ap.parse_args()
with open(a.source) as f, open(a.out, "w") as g:
    for i, line in enumerate(f):
        row = json.loads(line)
        row["prompt_ids"] = row["prompt_ids"][: max(1, a.length - a.step * i)]
        g.write(json.dumps(row) + "\n")

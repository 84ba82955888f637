"""Interleaved A/B of one decode step of several ONNX decoders (rlif imports, ORT-GenAI exports), in ONNX Runtime
itself, outside any generation loop: each model gets the same feeds (one new token per row after PAST cached tokens
of random keys and values), and the models take turns, ROUNDS times 4 steps, the first of each round rotating, so
load changes hit all alike. Prints
each model's median milliseconds per step and its ratio to the first model's. Used for docs/quantization.md's layout
comparison:

    bench/peer/.venv/bin/python bench/peer/decode_step_ab.py --batch 1 bench/peer/.work/rlif-int4 \
        /tmp/smollm2-int4 bench/peer/.work/genai-int4 bench/peer/.work/rlif-fp32
"""
import argparse
import statistics
import time

import numpy as np
import onnxruntime as ort


def feeds(session: ort.InferenceSession, batch: int, past: int) -> dict:
    rng = np.random.default_rng(0)
    out = {}
    for i in session.get_inputs():
        if i.name == "input_ids":
            out[i.name] = np.full((batch, 1), 42, dtype=np.int64)
        elif i.name == "attention_mask":
            out[i.name] = np.ones((batch, past + 1), dtype=np.int64)
        elif i.name == "position_ids":
            out[i.name] = np.full((batch, 1), past, dtype=np.int64)
        elif i.name.startswith("past"):
            shape = [batch if isinstance(d, str) and "batch" in d else past if isinstance(d, str) else d
                     for d in i.shape]
            out[i.name] = (rng.random(shape, dtype=np.float32) * 0.1)
        else:
            raise SystemExit(f"error: {i.name}: an input this script does not know how to feed")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="+", help="model directories (model.onnx inside)")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--past", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    runs = []
    for d in a.models:
        so = ort.SessionOptions()
        so.intra_op_num_threads = a.threads
        s = ort.InferenceSession(d + "/model.onnx", so, providers=["CPUExecutionProvider"])
        f = feeds(s, a.batch, a.past)
        for _ in range(3):
            s.run(None, f)
        runs.append((d, s, f, []))
    for r in range(a.rounds):
        # rotate who goes first: a model's step can depend on what ran just before it (caches, the other file's pages)
        for _, s, f, ms in runs[r % len(runs):] + runs[:r % len(runs)]:
            t = time.perf_counter()
            for _ in range(4):
                s.run(None, f)
            ms.append((time.perf_counter() - t) / 4 * 1000)
    base = statistics.median(runs[0][3])
    for d, _, _, ms in runs:
        m = statistics.median(ms)
        q1 = statistics.quantiles(ms, n=4)[0]
        print(f"{d:50s} median {m:7.2f} ms/step (quartile 1: {q1:6.2f})  x first {m / base:5.2f}")
    print("load average", open("/proc/loadavg").read().split()[:3])


if __name__ == "__main__":
    main()

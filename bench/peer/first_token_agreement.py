"""The first generated token of each prompt, per model, against a reference model (the fp32 import a quantized one
came from): the prompt's prefill logits at the last position, their argmax (greedy token) and entropy. Prints how
many prompts pick the reference's token and the largest and mean |entropy difference| in nats. Used for
docs/quantization.md's layout comparison:

    bench/peer/.venv/bin/python bench/peer/first_token_agreement.py --prompts bench/peer/.work/prompts-smollm2.jsonl \
        bench/peer/.work/rlif-fp32 /tmp/smollm2-int4 bench/peer/.work/genai-int4
"""
import argparse
import json

import numpy as np
import onnxruntime as ort


def head_size(model: str) -> int | None:
    """ORT-GenAI exports leave the cache's head dimension symbolic; their genai_config.json says it."""
    try:
        return json.load(open(model + "/genai_config.json"))["model"]["decoder"]["head_size"]
    except (OSError, KeyError):
        return None


def last_logits(model: str, prompts: list[list[int]]) -> list[np.ndarray]:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    s = ort.InferenceSession(model + "/model.onnx", so, providers=["CPUExecutionProvider"])
    out = []
    for p in prompts:
        f = {}
        for i in s.get_inputs():
            if i.name == "input_ids":
                f[i.name] = np.array([p], dtype=np.int64)
            elif i.name == "attention_mask":
                f[i.name] = np.ones((1, len(p)), dtype=np.int64)
            elif i.name == "position_ids":
                f[i.name] = np.arange(len(p), dtype=np.int64)[None]
            elif i.name.startswith("past"):
                # batch 1, an empty cache; the other dimensions as the graph declares them
                shape = [1 if isinstance(d, str) and "batch" in d else 0 if isinstance(d, str) and "seq" in d else d
                         for d in i.shape]
                shape = [head_size(model) or d if isinstance(d, str) and d == shape[-1] else d for d in shape]
                if any(isinstance(d, str) for d in shape):
                    raise SystemExit(f"error: {model}: {i.name} has a symbolic dimension other than batch/sequence")
                f[i.name] = np.zeros(shape, np.float32)
        out.append(s.run(["logits"], f)[0][0, -1].astype(np.float64))
    return out


def entropy(z: np.ndarray) -> float:
    lp = z - z.max()
    lp -= np.log(np.exp(lp).sum())
    return float(-(np.exp(lp) * lp).sum())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("reference")
    ap.add_argument("models", nargs="+")
    ap.add_argument("--prompts", required=True, help="JSONL with prompt_ids")
    a = ap.parse_args()
    prompts = [json.loads(line)["prompt_ids"] for line in open(a.prompts) if line.strip()]
    ref = last_logits(a.reference, prompts)
    for m in a.models:
        got = last_logits(m, prompts)
        same = sum(int(g.argmax() == r.argmax()) for g, r in zip(got, ref))
        dh = [abs(entropy(g) - entropy(r)) for g, r in zip(got, ref)]
        print(f"{m:45s} greedy first token as the reference's: {same}/{len(prompts)}  "
              f"|d entropy| max {max(dh):.3f} mean {np.mean(dh):.3f} nats")


if __name__ == "__main__":
    main()

"""One ORT-GenAI measurement in its own process: load the model, one short untimed warm-up generation of the same
batch, then one timed greedy generation of exactly --new-tokens per row (end-of-sequence ignored, as rlif's
`bench rollout --ignore-eos`). Prints one JSON line: tokens, seconds, tokens/s and the generated ids."""
import argparse
import json
import time

import numpy as np
import onnxruntime_genai as og


def load(model_dir: str, vocab: int):
    config = og.Config(model_dir)
    # ORT-GenAI has no ignore-eos switch and refuses ids outside the vocabulary, so the end-of-sequence id becomes the
    # last id of the vocabulary (an obscure merge); a row that still stops early is flagged by the comparison.
    config.overlay(json.dumps({"model": {"eos_token_id": [vocab - 1]}}))
    return og.Model(config)


def generate(model, prompts: np.ndarray, new_tokens: int) -> list[list[int]]:
    params = og.GeneratorParams(model)
    params.set_search_options(do_sample=False, max_length=prompts.shape[1] + new_tokens,
                              batch_size=prompts.shape[0])
    generator = og.Generator(model, params)
    generator.append_tokens(prompts)
    while not generator.is_done():
        generator.generate_next_token()
    return [list(map(int, generator.get_sequence(i)[prompts.shape[1]:])) for i in range(prompts.shape[0])]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompts", required=True, help="JSONL with prompt_ids, all of one length")
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--new-tokens", type=int, required=True)
    ap.add_argument("--vocab", type=int, required=True)
    a = ap.parse_args()
    rows = [json.loads(line)["prompt_ids"] for line in open(a.prompts) if line.strip()][: a.batch]
    prompts = np.array(rows, dtype=np.int32)
    model = load(a.model, a.vocab)
    generate(model, prompts, min(4, a.new_tokens))
    t0 = time.perf_counter()
    out = generate(model, prompts, a.new_tokens)
    seconds = time.perf_counter() - t0
    tokens = sum(len(r) for r in out)
    print(json.dumps({"tokens": tokens, "seconds": seconds, "tokens_per_second": tokens / seconds,
                      "completion_ids": out}))


if __name__ == "__main__":
    main()

"""One transformers measurement in its own process, on the same protocol as run_genai.py: load the float32 model,
one short untimed warm-up generation, then one timed greedy generation of exactly --new-tokens per row (no
end-of-sequence stop). Prints one JSON line: tokens, seconds, tokens/s and the generated ids."""
import argparse
import json
import time

import torch
from transformers import AutoModelForCausalLM, GenerationConfig


def generate(model, prompts: torch.Tensor, new_tokens: int) -> list[list[int]]:
    config = GenerationConfig(do_sample=False, max_new_tokens=new_tokens, min_new_tokens=None,
                              eos_token_id=None, pad_token_id=0)
    with torch.inference_mode():
        out = model.generate(prompts, attention_mask=torch.ones_like(prompts), generation_config=config)
    return out[:, prompts.shape[1]:].tolist()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompts", required=True, help="JSONL with prompt_ids, all of one length")
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--new-tokens", type=int, required=True)
    a = ap.parse_args()
    rows = [json.loads(line)["prompt_ids"] for line in open(a.prompts) if line.strip()][: a.batch]
    prompts = torch.tensor(rows, dtype=torch.long)
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32)
    model.eval()
    generate(model, prompts, min(4, a.new_tokens))
    t0 = time.perf_counter()
    out = generate(model, prompts, a.new_tokens)
    seconds = time.perf_counter() - t0
    tokens = sum(len(r) for r in out)
    print(json.dumps({"tokens": tokens, "seconds": seconds, "tokens_per_second": tokens / seconds,
                      "completion_ids": out}))


if __name__ == "__main__":
    main()

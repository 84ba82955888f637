"""Golden prompt ids for PromptIdsEquivalenceTest, from Hugging Face transformers itself.

For each model's tokenizer.json + tokenizer_config.json and each data row, writes the ids that
`tokenizer(text)` (plain: add_special_tokens=True, what lm-evaluation-harness and TRL feed a model) and
`tokenizer.apply_chat_template([{"role": "user", "content": text}], add_generation_prompt=True)` (chat) give.
rlif's score and train must both produce exactly these.

Run from the repository root (cross-check only; the Java tests read the JSON it writes):
  python3 -m venv tools/.venv && tools/.venv/bin/pip install transformers tokenizers jinja2
  tools/.venv/bin/python tools/prompt_ids_golden.py --smollm2 /path/to/an/rlif/import/of/SmolLM2-135M-Instruct
"""
import argparse
import json
import pathlib

from transformers import PreTrainedTokenizerFast

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def rows():
    out = []
    for name in ("gsm8k-test.jsonl", "math500-test.jsonl"):
        with open(SHARED / "data" / name, encoding="utf-8") as f:
            out.append(json.loads(f.readline())["question"])
    out.append("compute 3 + 4 * 2\n")
    return out


def tokenizer(model_dir):
    cfg = json.loads((model_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    special = {k: cfg[k] for k in ("bos_token", "eos_token", "unk_token", "pad_token") if isinstance(cfg.get(k), str)}
    tok = PreTrainedTokenizerFast(tokenizer_file=str(model_dir / "tokenizer.json"), **special)
    template = cfg.get("chat_template")
    if isinstance(template, list):
        template = next((t["template"] for t in template if t.get("name") == "default"), template[0]["template"])
    tok.chat_template = template
    return tok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--smollm2", type=pathlib.Path, help="an rlif import of SmolLM2-135M-Instruct")
    args = parser.parse_args()
    models = {
        "tiny-random-llama-fp16": SHARED / "fixtures/ort-genai/tiny-random-llama-fp16",
        "tiny-random-gpt2-fp32": SHARED / "fixtures/ort-genai/tiny-random-gpt2-fp32",
        "arith-base": ROOT / "models/arith-base",
        "arith-instruct": ROOT / "models/arith-instruct",
    }
    if args.smollm2:
        models["smollm2-135m-instruct"] = args.smollm2
    texts = rows()
    golden = {"rows": texts, "models": {}}
    for name, d in models.items():
        tok = tokenizer(d)
        entry = {"plain": [tok(t)["input_ids"] for t in texts]}
        if tok.chat_template:
            entry["chat"] = [list(tok.apply_chat_template([{"role": "user", "content": t}], add_generation_prompt=True,
                                                          tokenize=True, return_dict=False)) for t in texts]
        golden["models"][name] = entry
    out = ROOT / "trainer/src/test/resources/prompt-ids/golden.json"
    out.write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print("wrote", out)


if __name__ == "__main__":
    main()

"""Prompt files for the peer benchmark, all prompts of one length so that no tool pads (each pads differently).

smollm2: GSM8K questions in SmolLM2's chat template, the question cut so the whole prompt is --length tokens.
random: seeded random ids (the fixtures have random weights and no meaningful text), end-of-sequence ids avoided.
"""
import argparse
import json
import random


def chat(tokenizer_dir: str, questions: str, length: int, count: int) -> list[list[int]]:
    from transformers import AutoTokenizer
    t = AutoTokenizer.from_pretrained(tokenizer_dir)
    marker = "\x00"
    text = t.apply_chat_template([{"role": "user", "content": marker}], add_generation_prompt=True, tokenize=False)
    head, tail = text.split(marker)
    head_ids = t.encode(head, add_special_tokens=False)
    tail_ids = t.encode(tail, add_special_tokens=False)
    room = length - len(head_ids) - len(tail_ids)
    rows = []
    for line in open(questions):
        q = t.encode(json.loads(line)["question"], add_special_tokens=False)
        if len(q) >= room:
            rows.append(head_ids + q[:room] + tail_ids)
        if len(rows) == count:
            return rows
    raise SystemExit(f"too few questions of {room} tokens in {questions}")


def rand(vocab: int, eos: list[int], length: int, count: int) -> list[list[int]]:
    r = random.Random(20261205)
    rows = []
    for _ in range(count):
        row = []
        while len(row) < length:
            i = r.randrange(vocab)
            if i not in eos:
                row.append(i)
        rows.append(row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--length", type=int, required=True)
    ap.add_argument("--count", type=int, default=16)
    ap.add_argument("--chat-tokenizer", help="a Hugging Face tokenizer folder (smollm2 prompts)")
    ap.add_argument("--questions", help="GSM8K JSONL")
    ap.add_argument("--vocab", type=int, help="random prompts over this vocabulary")
    ap.add_argument("--eos", type=int, nargs="*", default=[])
    a = ap.parse_args()
    rows = (chat(a.chat_tokenizer, a.questions, a.length, a.count) if a.chat_tokenizer
            else rand(a.vocab, a.eos, a.length, a.count))
    with open(a.out, "w") as f:
        for row in rows:
            f.write(json.dumps({"prompt_ids": row}) + "\n")


if __name__ == "__main__":
    main()

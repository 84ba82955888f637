"""Cross-check of rlif's Java BPE trainer and tokenizer files against Hugging Face `tokenizers` (Python).

Reads models/src/test/resources/bpe/corpus.json (texts) and tokenizer.json (written by rlif's BpeTrainer from
that corpus), and writes models/src/test/resources/bpe/golden.json with
  - hf_trainer: the merges Hugging Face's own BpeTrainer learns from the same corpus with the same settings
    (ByteLevel pre-tokenizer, 256-symbol initial alphabet, same special tokens, vocab 600, min frequency 2);
  - encodings: the ids Hugging Face's Python tokenizer gives every corpus text and a few probes with rlif's
    tokenizer.json, with and without special tokens, and its decoding of them.
and golden-word-tokenizer.json: the ids of the same texts with the organism's committed tokenizer
(models/recipes/word-tokenizer). The Java test BpeTrainerTest compares against these values. Run from the repository root:
    python3 -m venv tools/.venv && tools/.venv/bin/pip install tokenizers
    tools/.venv/bin/python tools/tokenizer-check/check_bpe.py
"""
import json
import pathlib

import tokenizers
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

ROOT = pathlib.Path(__file__).resolve().parents[2]
RES = ROOT / "models/src/test/resources/bpe"
SPECIALS = ["<pad>", "<s>", "</s>", "<|user|>", "<|assistant|>"]
PROBES = [
    "<s><|user|>\nMia has 14 marbles. She finds 9 more. How many marbles does Mia have now?\n<|assistant|>\n",
    "Quentin has 77 zebras. Wait, let me check: 77 - 8 = 69.",
    "unseen words: xylophone, quixotic; numbers 9876 and 0.5",
    "",
    " leading space and trailing space ",
    "line\n\nbreaks\r\nand tabs\t\tend",
]


def main():
    texts = json.loads((RES / "corpus.json").read_text(encoding="utf-8"))

    hf = Tokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=600, min_frequency=2, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    hf.train_from_iterator(texts, trainer=trainer)
    trained = json.loads(hf.to_str())["model"]
    merges = [m if isinstance(m, list) else m.split(" ") for m in trained["merges"]]

    tok = Tokenizer.from_file(str(RES / "tokenizer.json"))
    encodings = []
    for text in texts + PROBES:
        plain = tok.encode(text, add_special_tokens=False).ids
        special = tok.encode(text, add_special_tokens=True).ids
        encodings.append({"text": text, "ids": plain, "ids_with_specials": special,
                          "decoded": tok.decode(special, skip_special_tokens=True)})
    golden = {
        "generated_by": "tools/tokenizer-check/check_bpe.py with tokenizers " + tokenizers.__version__,
        "hf_trainer": {"vocab_size": len(trained["vocab"]), "merges": merges},
        "encodings": encodings,
    }
    (RES / "golden.json").write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    ours = json.loads((RES / "tokenizer.json").read_text(encoding="utf-8"))["model"]["merges"]
    same = sum(1 for a, b in zip(ours, merges) if list(a) == list(b))
    print(f"HF trainer: {len(merges)} merges; rlif: {len(ours)}; identical prefix/positions: {same}")
    print(f"wrote {RES / 'golden.json'} ({len(encodings)} encodings)")

    # The committed tokenizer of the word-level model organism (models/recipes/word-tokenizer), on the same texts
    # and a chat-formatted prompt, so the Java test can check DJL's encoding of it too.
    word = Tokenizer.from_file(str(ROOT / "models/recipes/word-tokenizer/tokenizer.json"))
    word_encodings = []
    for text in texts[:400] + PROBES[:2]:
        word_encodings.append({"text": text, "ids": word.encode(text, add_special_tokens=False).ids,
                               "ids_with_specials": word.encode(text, add_special_tokens=True).ids})
    (RES / "golden-word-tokenizer.json").write_text(
        json.dumps({"generated_by": golden["generated_by"], "encodings": word_encodings}, indent=1,
                   ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RES / 'golden-word-tokenizer.json'} ({len(word_encodings)} encodings)")


if __name__ == "__main__":
    main()

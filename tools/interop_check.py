#!/usr/bin/env python3
"""Cross-checks rlif against transformers, PEFT and the gguf reader (run with tools/.venv, see tools/README.md).

  goldens    writes tiny random checkpoints of every architecture rlif builds (saved by transformers itself, so
             config.json is transformers 5's: rope_parameters, layer_types) and PEFT adapters (LoRA on GPT-2 Conv1D,
             rsLoRA, rank/alpha patterns, DoRA) with the logits transformers / PEFT compute for them. The Java tests
             compare rlif's graphs against these numbers.
  roundtrip  imports each golden checkpoint with bin/rlif, exports it back (--format hf, and gguf f32/f16/q8_0),
             and loads the results with transformers and the gguf reader: prints the max logit difference.
  peft       loads an adapter written by rlif with PeftModel.from_pretrained on the exported base and compares
             its logits with rlif's merged checkpoint.
  model DIR  exports a real rlif model directory (e.g. SmolLM2) as a Hugging Face folder and a Q8_0 GGUF and
             compares the two in transformers: tokenizer ids, logits, greedy tokens.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models/src/test/resources/interop"
ADAPTERS = ROOT / "trainer/src/test/resources/interop"
IDS = [3, 17, 9, 30, 1, 22, 5, 12]  # longer than the sliding windows below

COMMON = dict(vocab_size=32, bos_token_id=1, eos_token_id=2)
LLAMA = dict(COMMON, hidden_size=16, intermediate_size=24, num_hidden_layers=2, num_attention_heads=2,
             num_key_value_heads=1, max_position_embeddings=64, rms_norm_eps=1e-5)


def checkpoints():
    from transformers import GPT2Config, LlamaConfig, MistralConfig, Qwen2Config, Qwen3Config
    return {
        "llama_gqa_tied": LlamaConfig(**LLAMA, tie_word_embeddings=True,
                                      rope_parameters={"rope_type": "default", "rope_theta": 500000.0}),
        "llama3_scaled": LlamaConfig(**dict(LLAMA, num_key_value_heads=2), tie_word_embeddings=False,
                                     rope_parameters={"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0,
                                                      "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                                      "original_max_position_embeddings": 32}),
        "qwen2": Qwen2Config(**LLAMA, tie_word_embeddings=True,
                             rope_parameters={"rope_type": "default", "rope_theta": 1000000.0}),
        "qwen2_sliding": Qwen2Config(**LLAMA, tie_word_embeddings=True, use_sliding_window=True, sliding_window=3,
                                     max_window_layers=1),
        "qwen3": Qwen3Config(**dict(LLAMA, num_attention_heads=4, num_key_value_heads=2), head_dim=6,
                             tie_word_embeddings=False),
        "mistral_sliding": MistralConfig(**LLAMA, sliding_window=3, tie_word_embeddings=False),
        "gpt2": GPT2Config(**COMMON, n_embd=16, n_layer=2, n_head=2, n_positions=32),
    }


def tiny_tokenizer(out):
    """A 32-token byte-level BPE tokenizer (GPT-2's split), so rlif imports the folder and GGUF can carry it."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    vocab = {t: i for i, t in enumerate(["<unk>", "<s>", "</s>"] + list("abcdefghijklmnopqrstuvwxyz") + ["Ġ", "ab", "Ġa"])}
    tok = Tokenizer(models.BPE(vocab, [("a", "b"), ("Ġ", "a")], unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>").save_pretrained(out)


def randomise(model, gen):
    """Weights large enough that logits spread over several units (the default 0.02 init gives near-uniform logits)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1 and name.endswith("weight"):  # norm gains
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_((0.5 if "wte" in name or "embed" in name else 0.3) * torch.randn(p.shape, generator=gen))


def logits_of(model, ids=IDS):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].float().numpy()


def write_expected(path, logits, **extra):
    path.write_text(json.dumps(dict(extra, ids=IDS, logits=[[round(float(v), 7) for v in row] for row in logits])) + "\n")


def load(path, **kw):
    from transformers import AutoModelForCausalLM
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation="eager", **kw).eval()


def goldens():
    from transformers import AutoModelForCausalLM
    import transformers
    for i, (name, config) in enumerate(checkpoints().items()):
        gen = torch.Generator().manual_seed(100 + i)
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        randomise(model, gen)
        out = MODELS / name
        out.mkdir(parents=True, exist_ok=True)
        model.half().save_pretrained(out)  # float16 keeps the committed file small; rlif reads it as transformers does
        tiny_tokenizer(out)
        reloaded = load(out)
        write_expected(out / "expected.json", logits_of(reloaded), transformers=transformers.__version__)
        print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, "
              f"{(out / 'model.safetensors').stat().st_size} bytes")
    adapters()


def adapter_specs():
    from peft import LoraConfig
    return {
        # PEFT turns fan_in_fan_out on for Conv1D; c_proj matches both attn.c_proj (square) and mlp.c_proj
        "gpt2_lora": ("gpt2", LoraConfig(r=4, lora_alpha=8, target_modules=["c_attn", "c_proj", "c_fc"],
                                         fan_in_fan_out=True)),
        "gpt2_dora": ("gpt2", LoraConfig(r=2, lora_alpha=4, target_modules=["c_attn", "c_proj"], fan_in_fan_out=True,
                                         use_dora=True)),
        "llama_rslora": ("llama_gqa_tied", LoraConfig(r=4, lora_alpha=8, use_rslora=True, target_modules="all-linear")),
        "qwen2_patterns": ("qwen2", LoraConfig(r=4, lora_alpha=8, target_modules="all-linear",
                                               rank_pattern={"v_proj": 2, "layers.1.self_attn.q_proj": 3},
                                               alpha_pattern={"down_proj": 32, "q_proj": 2})),
        "mistral_dora": ("mistral_sliding", LoraConfig(r=4, lora_alpha=16, target_modules=["q_proj", "v_proj", "down_proj"],
                                                       use_dora=True)),
    }


def adapters():
    import peft
    from peft import get_peft_model
    for i, (name, (base, config)) in enumerate(adapter_specs().items()):
        gen = torch.Generator().manual_seed(200 + i)
        model = get_peft_model(load(MODELS / base), config)
        with torch.no_grad():
            for n, p in model.named_parameters():
                if "lora_magnitude_vector" in n:
                    p.mul_(1 + 0.2 * torch.randn(p.shape, generator=gen))
                elif "lora_" in n:
                    p.copy_(0.3 * torch.randn(p.shape, generator=gen))
        out = ADAPTERS / name
        out.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(out)
        (out / "README.md").unlink()  # PEFT's model-card boilerplate
        cfg = json.loads((out / "adapter_config.json").read_text())
        cfg["base_model_name_or_path"] = str((MODELS / base).relative_to(ROOT))
        (out / "adapter_config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        unmerged = logits_of(model)
        merged = logits_of(model.merge_and_unload())
        base_logits = logits_of(load(MODELS / base))
        write_expected(out / "expected.json", unmerged, base=base, peft=peft.__version__)
        print(f"{name} on {base}: PEFT merged vs unmerged max diff {np.abs(merged - unmerged).max():.2e}; "
              f"the adapter moves logits by {np.abs(unmerged - base_logits).max():.2f}")


def rlif(*args, refusal_ok=False):
    r = subprocess.run([str(ROOT / "bin/rlif"), *map(str, args)], capture_output=True, text=True)
    if r.returncode == 2 and refusal_ok:
        return None, r.stderr.strip().splitlines()[-1]
    if r.returncode != 0:
        sys.exit(f"bin/rlif {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stderr}")
    return r.stdout, None


GGUF_NAMES = {"token_embd": "model.embed_tokens", "output_norm": "model.norm", "output": "lm_head",
              "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
              "attn_output": "self_attn.o_proj", "attn_q_norm": "self_attn.q_norm", "attn_k_norm": "self_attn.k_norm",
              "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj",
              "attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm"}


def gguf_weight_diff(reader, arch, hf_dir):
    """Every GGUF tensor, dequantised by the gguf package and Q/K-unpermuted for llama, against the source safetensors."""
    import gguf
    from safetensors.numpy import load_file
    src = load_file(hf_dir / "model.safetensors")
    cfg = json.loads((hf_dir / "config.json").read_text())
    head_dim = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    worst = 0.0
    deq = {}
    for t in reader.tensors:
        parts = t.name.split(".")
        if parts[0] == "blk":
            hf = f"model.layers.{parts[1]}.{GGUF_NAMES[parts[2]]}.{parts[3]}"
        else:
            hf = f"{GGUF_NAMES[parts[0]]}.{parts[1]}"
        shape = tuple(int(x) for x in reversed(t.shape))
        w = gguf.quants.dequantize(t.data, t.tensor_type).reshape(shape).astype(np.float64)
        if arch == "llama" and parts[-2] in ("attn_q", "attn_k"):
            n = w.shape[0] // head_dim  # llama.cpp's permute, undone
            w = w.reshape(n, head_dim // 2, 2, -1).swapaxes(1, 2).reshape(w.shape)
        deq[hf] = torch.tensor(w, dtype=torch.float32)
        if t.tensor_type == gguf.GGMLQuantizationType.Q8_0:
            # rlif's Q8_0 blocks must be byte for byte what the gguf package's reference quantiser makes
            ref = gguf.quants.quantize(np.ascontiguousarray(src[hf].astype(np.float32)), gguf.GGMLQuantizationType.Q8_0)
            mine = np.asarray(t.data).reshape(-1).view(np.uint8)
            if arch == "llama" and parts[-2] in ("attn_q", "attn_k"):
                mine = None  # permuted rows: compared through the dequantised values only
            if mine is not None and not np.array_equal(mine, ref.reshape(-1).view(np.uint8)):
                sys.exit(f"{t.name}: Q8_0 bytes differ from gguf.quants.quantize")
            worst = max(worst, float(np.abs(w - src[hf].astype(np.float64)).max()))
            continue
        worst = max(worst, float(np.abs(w - src[hf].astype(np.float64)).max()))
    return worst, deq


def q8_checkpoint(tmp):
    """A llama whose rows are whole Q8_0 blocks (the committed goldens are too narrow to quantise)."""
    from transformers import AutoModelForCausalLM, LlamaConfig
    out = tmp / "llama_q8_src"
    model = AutoModelForCausalLM.from_config(LlamaConfig(**dict(LLAMA, hidden_size=64, intermediate_size=96,
                                                                num_attention_heads=4, num_key_value_heads=2)))
    randomise(model, torch.Generator().manual_seed(7))
    model.save_pretrained(out)
    tiny_tokenizer(out)
    (out / "expected.json").write_text(json.dumps({"logits": logits_of(load(out)).tolist()}))
    return out


def roundtrip():
    import gguf
    with tempfile.TemporaryDirectory(prefix="rlif-interop-") as tmp:
        tmp = Path(tmp)
        sources = {name: MODELS / name for name in checkpoints()}
        sources["llama_q8"] = q8_checkpoint(tmp)
        for name, src_dir in sources.items():
            expected = np.array(json.loads((src_dir / "expected.json").read_text())["logits"])
            model_dir = tmp / name
            rlif("import", "--from", "safetensors", src_dir, "--out", model_dir, "--dtype", "fp32")
            hf = tmp / (name + "-hf")
            rlif("export", "--format", "hf", "--model", model_dir, "--out", hf)
            diff = np.abs(logits_of(load(hf)) - expected).max()
            line = f"{name:16s} hf: max |logit diff| vs transformers {diff:.2e}"
            for dtype in ("f32", "f16", "q8_0"):
                g = tmp / f"{name}-{dtype}.gguf"
                _, refused = rlif("export", "--format", "gguf", "--dtype", dtype, "--model", model_dir, "--out", g,
                                  refusal_ok=True)
                if refused:
                    line += f"; gguf refused: {refused}"
                    break
                reader = gguf.GGUFReader(g)
                arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
                wdiff, deq = gguf_weight_diff(reader, arch, src_dir)
                same = load(hf)  # the exported model with exactly the values the GGUF holds
                same.load_state_dict(deq, strict=False)
                want = logits_of(same)
                gdir = tmp / f"{name}-{dtype}-gguf"
                gdir.mkdir()
                (gdir / g.name).symlink_to(g)
                try:
                    d = f"{np.abs(logits_of(load(gdir, gguf_file=g.name)) - want).max():.2e}"
                except Exception as e:  # transformers' GGUF loader does not map every key (qwen3 head_dim)
                    d = "transformers cannot load it (" + str(e).splitlines()[0][:60] + ")"
                line += (f"; gguf {dtype} ({arch}, {len(reader.tensors)} tensors, max |weight - source| {wdiff:.1e},"
                         f" transformers' GGUF logits vs its stored weights {d})")
            print(line, flush=True)


def peft_loads_rlif_adapters():
    """An adapter written by `rlif train` (LoRA checkpoint) loaded by PeftModel.from_pretrained on the Hugging Face
    export of its base gives the logits of rlif's merged checkpoint (exported the same way)."""
    from peft import PeftModel
    with tempfile.TemporaryDirectory(prefix="rlif-peft-") as tmp:
        tmp = Path(tmp)
        for name, targets in (("llama_gqa_tied", "[q_proj, v_proj, down_proj]"), ("gpt2", "[c_attn, c_proj, c_fc]")):
            base = tmp / name
            rlif("import", "--from", "safetensors", MODELS / name, "--out", base)
            cfg = tmp / f"{name}.yaml"
            cfg.write_text(f"""seed: 3
steps: 2
objective: grpo
model: {base}
data: {{source: "arith:level=1,steps=2"}}
trainable: {{lora: {{rank: 2, alpha: 4, targets: {targets}}}}}
optimizer: {{lr: 0.2, schedule: constant, max_grad_norm: 0}}
grpo: {{prompts_per_step: 2, group_size: 4, max_new_tokens: 6, reward: {{self_certainty: 1.0}}}}
eval: {{every: 100, limit: 2, max_new_tokens: 4}}
checkpoint: {{every: 2}}
""")
            run = tmp / f"{name}-run"
            rlif("train", "--config", cfg, "--out", run)
            ckpt = run / "checkpoints/step-2"
            adapter_cfg = json.loads((ckpt / "adapter_config.json").read_text())
            rlif("export", "--format", "hf", "--model", base, "--out", tmp / f"{name}-base-hf")
            rlif("export", "--format", "hf", "--model", ckpt, "--out", tmp / f"{name}-merged-hf")
            peft_model = PeftModel.from_pretrained(load(tmp / f"{name}-base-hf"), ckpt)
            adapted = sorted(n for n, m in peft_model.named_modules() if hasattr(m, "lora_A") and n.endswith(tuple("_proj c_attn c_fc".split())))
            with_peft = logits_of(peft_model)
            merged = logits_of(load(tmp / f"{name}-merged-hf"))
            moved = np.abs(with_peft - logits_of(load(tmp / f"{name}-base-hf"))).max()
            print(f"{name}: rlif adapter ({len(adapter_cfg['target_modules'])} target modules, e.g. "
                  f"{adapter_cfg['target_modules'][0]}; base_model_name_or_path {adapter_cfg['base_model_name_or_path']}) "
                  f"loaded by PEFT on {len(adapted)} modules: max |logit - rlif merged| {np.abs(with_peft - merged).max():.2e}"
                  f" (training moved logits by {moved:.2e})", flush=True)


def real_model(model_dir):
    """A real rlif model directory (e.g. SmolLM2 imported from models/.cache/smollm2) exported as a Hugging Face
    folder and as a Q8_0 GGUF; transformers loads both (the GGUF with its tokenizer) and they are compared."""
    from transformers import AutoTokenizer
    with tempfile.TemporaryDirectory(prefix="rlif-real-") as tmp:
        tmp = Path(tmp)
        rlif("export", "--model", model_dir, "--format", "hf", "--out", tmp / "hf")
        text = "Natalia sold clips to 48 of her friends in April, and then she sold half as many in May. How many?"
        tok_hf = AutoTokenizer.from_pretrained(tmp / "hf")
        ids = tok_hf(text)["input_ids"]
        hf = load(tmp / "hf")
        a = logits_of(hf, ids)
        ga = hf.generate(torch.tensor([ids]), max_new_tokens=16, min_new_tokens=16, do_sample=False)[0, len(ids):].tolist()
        for dtype in ("f32", "f16", "q8_0"):
            g = tmp / f"gguf-{dtype}"
            rlif("export", "--model", model_dir, "--format", "gguf", "--dtype", dtype, "--out", g / "model.gguf")
            tok_gguf = AutoTokenizer.from_pretrained(g, gguf_file="model.gguf")
            q = load(g, gguf_file="model.gguf")
            b = logits_of(q, ids)
            gb = q.generate(torch.tensor([ids]), max_new_tokens=16, min_new_tokens=16, do_sample=False)[0, len(ids):].tolist()
            same = next((i for i in range(16) if i >= len(ga) or i >= len(gb) or ga[i] != gb[i]), 16)
            print(f"{dtype} GGUF vs float32 folder in transformers: same {len(ids)} token ids {ids == tok_gguf(text)['input_ids']}, "
                  f"max |logit diff| {np.abs(a - b).max():.2e}, mean {np.abs(a - b).mean():.2e} (logits up to "
                  f"{np.abs(a).max():.1f}), argmax agreement {np.mean(a.argmax(-1) == b.argmax(-1)):.3f}, "
                  f"greedy tokens equal for the first {same}/16 ({len(ga)} and {len(gb)} generated)", flush=True)
            del q


if __name__ == "__main__":
    torch.set_num_threads(1)
    commands = {"goldens": goldens, "roundtrip": roundtrip, "peft": peft_loads_rlif_adapters}
    if len(sys.argv) > 2 and sys.argv[1] == "model":
        real_model(Path(sys.argv[2]).resolve())
    else:
        commands[sys.argv[1] if len(sys.argv) > 1 else "goldens"]()

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
                                                      "original_max_position_embeddings": 64}),
        "qwen2": Qwen2Config(**LLAMA, tie_word_embeddings=True,
                             rope_parameters={"rope_type": "default", "rope_theta": 1000000.0}),
        "qwen2_sliding": Qwen2Config(**LLAMA, tie_word_embeddings=True, use_sliding_window=True, sliding_window=3,
                                     max_window_layers=1),
        "qwen3": Qwen3Config(**dict(LLAMA, num_attention_heads=4, num_key_value_heads=2), head_dim=6,
                             tie_word_embeddings=False),
        "mistral_sliding": MistralConfig(**LLAMA, sliding_window=3, tie_word_embeddings=False),
        "gpt2": GPT2Config(**COMMON, n_embd=16, n_layer=2, n_head=2, n_positions=32),
    }


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


def rlif(*args):
    env = dict(os.environ)
    r = subprocess.run([str(ROOT / "bin/rlif"), *map(str, args)], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"bin/rlif {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stderr}")
    return r.stdout


def roundtrip():
    import gguf
    with tempfile.TemporaryDirectory(prefix="rlif-interop-") as tmp:
        tmp = Path(tmp)
        for name in checkpoints():
            expected = np.array(json.loads((MODELS / name / "expected.json").read_text())["logits"])
            model_dir = tmp / name
            rlif("import", "--from", "safetensors", MODELS / name, "--out", model_dir, "--dtype", "fp32")
            hf = tmp / (name + "-hf")
            rlif("export", "--format", "hf", "--model", model_dir, "--out", hf)
            diff = np.abs(logits_of(load(hf)) - expected).max()
            line = f"{name:16s} hf: max |logit diff| vs transformers {diff:.2e}"
            for dtype in ("f32", "f16", "q8_0"):
                if name == "gpt2" or name == "qwen3":
                    continue
                g = tmp / f"{name}-{dtype}.gguf"
                rlif("export", "--format", "gguf", "--dtype", dtype, "--model", model_dir, "--out", g)
                reader = gguf.GGUFReader(g)
                arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
                gdir = tmp / f"{name}-{dtype}-gguf"
                gdir.mkdir()
                (gdir / g.name).symlink_to(g)
                d = np.abs(logits_of(load(gdir, gguf_file=g.name)) - expected).max()
                line += f"; gguf {dtype} ({arch}, {len(reader.tensors)} tensors) {d:.2e}"
            print(line, flush=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    {"goldens": goldens, "roundtrip": roundtrip}[sys.argv[1] if len(sys.argv) > 1 else "goldens"]()

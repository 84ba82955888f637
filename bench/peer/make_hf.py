"""Writes a Hugging Face folder (config, float32 safetensors, tokenizer) from a GGUF file with transformers'
own GGUF loader, so that ORT-GenAI's builder and transformers start from the weights rlif imports (both
dequantise the GGUF blocks exactly)."""
import sys
from pathlib import Path

import torch
from safetensors.torch import save_model
from transformers import AutoModelForCausalLM, AutoTokenizer


def main(gguf_path: str, out: str) -> None:
    gguf = Path(gguf_path).resolve()
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    Path(out).mkdir(parents=True, exist_ok=True)
    # transformers will not save_pretrained a model loaded from GGUF; the weights are plain float32 now.
    save_model(model, str(Path(out) / "model.safetensors"), metadata={"format": "pt"})
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.torch_dtype = "float32"
    config.architectures = [type(model).__name__]
    config.save_pretrained(out)
    model.generation_config.save_pretrained(out)
    tokenizer.save_pretrained(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

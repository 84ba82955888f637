#!/usr/bin/env bash
# The peer benchmark: rlif against ONNX Runtime GenAI and Hugging Face transformers on the same models and
# prompts, interleaved, one table (tokens/s, ratios to ORT-GenAI, peak RSS, greedy agreement).
#
#   bench/peer-bench.sh [--quick] [--rounds N] [--contention none|busy|both] [--out DIR] [--no-fixtures]
#                       [--tools REGEX] [--no-smollm2] [--baseline RLIF_CHECKOUT]
#
# Installs the peers from PyPI into bench/peer/.venv (pinned in bench/peer/requirements.txt; gitignored, about
# 6 GB with torch), turns the SmolLM2-135M-Instruct Q4_1 GGUF (models/fetch-smollm2.sh) into a float32 Hugging
# Face folder with transformers' GGUF loader, builds ORT-GenAI's fp32 and int4 exports with its own builder, and
# imports the GGUF with rlif (fp32 and int4). Everything it builds goes to bench/peer/.work. Not part of .ci/run:
# it needs the network once and takes 20-60 minutes. On a shared machine run it as
# `bench/peer-bench.sh` and read the load averages it prints; docs/rollout-engine.md has
# the numbers measured here. --baseline adds "baseline rlif" rows: another rlif checkout (e.g. `git worktree add
# /tmp/rlif-main main`, which must have bench rollout's --prompts and --ignore-eos) on the same fp32 files, in the
# same rotation, for a before/after table from one run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peer="$root/bench/peer"
work="$peer/.work"
venv="$peer/.venv"
shared="${RLIF_SHARED:-$root/../shared}"

rounds=3
contention=none
out="$work/results-$(date +%Y%m%d-%H%M%S)"
quick=0
fixtures=1
smollm2=1
tools=.
baseline=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; rounds=1 ;;
    --rounds) rounds="$2"; shift ;;
    --contention) contention="$2"; shift ;;
    --out) out="$2"; shift ;;
    --no-fixtures) fixtures=0 ;;
    --no-smollm2) smollm2=0 ;;
    --tools) tools="$2"; shift ;;
    --baseline) baseline=(--baseline "$(cd "$2" && pwd)"); shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

mkdir -p "$work"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$peer/requirements.txt" "$venv/requirements.txt"; then
  echo "peer-bench: installing the peers into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$peer/requirements.txt"
  cp "$peer/requirements.txt" "$venv/requirements.txt"
fi
py="$venv/bin/python"

gguf="$("$root/models/fetch-smollm2.sh")"
log="$work/prepare.log"
if [ ! -f "$work/smollm2-hf/model.safetensors" ]; then
  echo "peer-bench: float32 Hugging Face folder from $gguf" >&2
  "$py" "$peer/make_hf.py" "$gguf" "$work/smollm2-hf" >>"$log" 2>&1
fi
for precision in fp32 int4; do
  if [ ! -f "$work/genai-$precision/genai_config.json" ]; then
    echo "peer-bench: ORT-GenAI $precision export with its builder" >&2
    (cd "$work" && "$py" -m onnxruntime_genai.models.builder -i smollm2-hf -o "genai-$precision" -p "$precision" \
      -e cpu -c cache >>"$log" 2>&1)
  fi
done

"$root/bin/rlif" --help >/dev/null   # builds the CLI when sources changed
if [ ${#baseline[@]} -gt 0 ]; then "${baseline[1]}/bin/rlif" --help >/dev/null; fi
jar="$root/cli/target/rlif-cli.jar"
rlif_int4=0
if "$root/bin/rlif" import --help 2>/dev/null | grep -q int4; then rlif_int4=1; fi
for precision in fp32 int4; do
  [ "$precision" = int4 ] && [ "$rlif_int4" = 0 ] && continue
  dir="$work/rlif-$precision"
  if [ ! -f "$dir/rlif.json" ] || [ "$jar" -nt "$dir/rlif.json" ]; then
    echo "peer-bench: rlif import --dtype $precision" >&2
    "$root/bin/rlif" import --from gguf "$gguf" --out "$dir" --dtype "$precision" --overwrite >>"$log" 2>&1
  fi
done

"$py" "$peer/make_prompts.py" --out "$work/prompts-smollm2.jsonl" --length 64 --count 8 \
  --chat-tokenizer "$work/smollm2-hf" --questions "$shared/data/gsm8k-test.jsonl"
java_ort="$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' "$root/pom.xml" | head -1)"
"$py" - "$work" "$shared/fixtures/ort-genai" "$quick" "$fixtures" "$rlif_int4" "$java_ort" "$smollm2" <<'PLAN'
import json, subprocess, sys
from pathlib import Path
work, shared, quick, fixtures, rlif_int4 = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1", sys.argv[5] == "1"
with_smollm2 = sys.argv[7] == "1"
py = sys.executable
cells = []
# "rlif 1 thread" rows: rlif with --threads 1, the one core ORT-GenAI's generation loop keeps busy here, so that
# what each loses beside a busy loop is compared on equal cores (docs/rollout-engine.md).
smol = {"rlif fp32": str(work / "rlif-fp32"), "rlif 1 thread fp32": str(work / "rlif-fp32"),
        "rlif on ORT-GenAI's file fp32": str(work / "genai-fp32"),
        "ort-genai fp32": str(work / "genai-fp32"), "transformers": str(work / "smollm2-hf")}
if rlif_int4:
    smol["rlif int4"] = str(work / "rlif-int4")
    smol["rlif 1 thread int4"] = str(work / "rlif-int4")
smol["rlif on ORT-GenAI's file int4"] = str(work / "genai-int4")
smol["ort-genai int4"] = str(work / "genai-int4")
for batch in ([1, 8] if with_smollm2 else []):
    for tokens in ([64] if quick else [64, 256]):
        cells.append({"label": "SmolLM2-135M", "batch": batch, "tokens": tokens, "vocab": 49152,
                      "prompts": str(work / "prompts-smollm2.jsonl"), "tools": smol})
if fixtures:
    for name in ["tiny-random-llama-fp16", "tiny-random-gpt2-fp32"]:
        d = shared / name
        cfg = json.load(open(d / "genai_config.json"))["model"]
        eos = cfg["eos_token_id"] if isinstance(cfg["eos_token_id"], list) else [cfg["eos_token_id"]]
        prompts = work / f"prompts-{name}.jsonl"
        subprocess.run([py, str(work.parent / "make_prompts.py"), "--out", str(prompts), "--length", "32",
                        "--count", "16", "--vocab", str(cfg["vocab_size"]), "--eos", *map(str, eos)], check=True)
        for batch in [1, 16]:
            cells.append({"label": name, "batch": batch, "tokens": 128, "vocab": cfg["vocab_size"],
                          "prompts": str(prompts), "tools": {"rlif": str(d), "ort-genai": str(d)}})
json.dump(cells, open(work / "plan.json", "w"), indent=1)
import importlib.metadata as md
versions = {p: md.version(p) for p in ["onnxruntime", "onnxruntime-genai", "transformers", "torch"]}
versions["onnxruntime (Java, rlif)"] = sys.argv[6]
json.dump(versions, open(work / "versions.json", "w"))
PLAN
echo "peer-bench: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg); results in $out" >&2
"$py" "$peer/peer_bench.py" --plan "$work/plan.json" --rounds "$rounds" --contention "$contention" --out "$out" \
  --tools "$tools" "${baseline[@]}"

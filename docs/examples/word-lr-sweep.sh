#!/usr/bin/env bash
# The learning-rate sweep behind the demo's learning rate (docs/results.md, "Choosing the learning rate"):
# GRPO with the self-certainty reward from both organism models, at 3e-5, 1e-4, 3e-4 and 1e-3, seeds 1-3, 50 steps
# each, everything else as docs/examples/word-grpo-self-certainty.yaml; prints each run's gate (did the reward it
# optimised rise: slope per step, Newey-West standard error, t) and writes the same lines to OUT/gates.txt.
# Usage (from the repository root): docs/examples/word-lr-sweep.sh OUT [STEPS]. Takes hours on 2 cores.
# A smaller sweep: the environment variables MODELS (default "word-base word-instruct"), LRS (default
# "3e-5 1e-4 3e-4 1e-3") and SEEDS (default "1 2 3"), e.g. SEEDS=1 docs/examples/word-lr-sweep.sh OUT 20.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: word-lr-sweep.sh OUT [STEPS]}"
steps="${2:-50}"
mkdir -p "$out"
config="$root/docs/examples/word-grpo-self-certainty.yaml"
printf '%-14s %-7s %-5s %s\n' model lr seed gate | tee "$out/gates.txt"
for model in ${MODELS:-word-base word-instruct}; do
  format=plain
  [ "$model" = word-instruct ] && format=chat
  for lr in ${LRS:-3e-5 1e-4 3e-4 1e-3}; do
    for seed in ${SEEDS:-1 2 3}; do
      run="$out/$model-lr$lr-seed$seed"
      if [ ! -f "$run/checkpoints/step-$steps/model.onnx" ]; then
        resume=""
        [ -f "$run/metrics.jsonl" ] && resume="--resume"
        "$root/bin/rlif" train --config "$config" --out "$run" $resume --set "model=$root/models/$model" \
          --set "data.prompt_format=$format" --set "grpo.learning_rate=$lr" --set "seed=$seed" \
          --set "grpo.max_steps=$steps" --set "grpo.eval_steps=0" --set "grpo.save_steps=$steps" \
          --set "eval.limit=64" > "$run.log" 2>&1 || true
      fi
      gate=$(grep -o '"gate":true.*' "$run/metrics.jsonl" | tail -n 1 | sed -e 's/"gate":true,//' -e 's/[{}"]//g')
      printf '%-14s %-7s %-5s %s\n' "$model" "$lr" "$seed" "${gate:-no gate row: see $run.log}" | tee -a "$out/gates.txt"
    done
  done
done

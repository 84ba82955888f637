#!/usr/bin/env bash
# The table of docs/results.md, "Choosing the learning rate", from a finished word-lr-sweep.sh OUT: per model and
# learning rate, how many seeds passed the gate (the reward they optimised rose: slope over its Newey-West
# standard error above 1.96), the seeds' mean slope of self-certainty per step with the standard error of that
# mean over seeds (sd / sqrt(seeds)), each seed's t, and held-out accuracy (64 problems, 1 sample at temperature
# 1, the same sampling seed in every run) at the first and last step, averaged over seeds, with the per-seed
# values, plus token entropy and transitional words per word.
# Usage (from the repository root): docs/examples/word-lr-sweep-table.sh OUT [STEPS]
set -euo pipefail
out="${1:?usage: word-lr-sweep-table.sh OUT [STEPS]}"
steps="${2:-50}"
printf '| model | learning rate | seeds passed | slope per step, mean over seeds (SE) | t per seed | held-out accuracy step 0 -> %s (per seed) | token entropy 0 -> %s | transitional words/word 0 -> %s |\n' "$steps" "$steps" "$steps"
printf '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
for model in ${MODELS:-word-base word-instruct}; do
  for lr in ${LRS:-3e-5 1e-4 3e-4 1e-3}; do
    rows=""
    for seed in ${SEEDS:-1 2 3}; do
      m="$out/$model-lr$lr-seed$seed/metrics.jsonl"
      [ -f "$m" ] || continue
      # one line per seed: optimised slope t acc0 accN ent0 entN tr0 trN
      rows+=$(jq -rs --argjson n "$steps" '
        (map(select(.gate == true)) | last) as $g
        | (map(select(.eval == true and .step == 0)) | last) as $e0
        | (map(select(.eval == true and .step == $n)) | last) as $en
        | if $g == null or $en == null then empty else
          [($g.optimised | tostring), $g.reward_slope, $g.reward_slope_t, $e0.accuracy, $en.accuracy,
           $e0.token_entropy, $en.token_entropy, $e0.transitional_rate, $en.transitional_rate] | @tsv end' "$m")$'\n'
    done
    printf '%s' "$rows" | awk -F'\t' -v model="$model" -v lr="$lr" '
      NF >= 9 { n++; pass += ($1 == "true"); s[n] = $2; sum += $2; t = t (n > 1 ? ", " : "") sprintf("%+.2f", $3)
                a0 += $4; an += $5; acc = acc (n > 1 ? ", " : "") sprintf("%.3f", $5); e0 += $6; en += $7; r0 += $8; rn += $9 }
      END {
        if (n == 0) { printf "| %s | %s | no finished run | | | | | |\n", model, lr; exit }
        mean = sum / n; ss = 0; for (i = 1; i <= n; i++) ss += (s[i] - mean) ^ 2
        se = n > 1 ? sqrt(ss / (n - 1) / n) : 0
        printf "| %s | %s | %d of %d | %+.4f (%.4f) | %s | %.3f -> %.3f (%s) | %.3f -> %.3f | %.4f -> %.4f |\n",
          model, lr, pass, n, mean, se, t, a0 / n, an / n, acc, e0 / n, en / n, r0 / n, rn / n }'
  done
done

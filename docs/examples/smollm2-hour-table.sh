#!/usr/bin/env bash
# The held-out table of docs/results.md, "The SmolLM2 arm": one row per `rlif score` directory given, with
# accuracy and the share of completions that hit the token limit, mean token entropy and self-certainty (one
# sample per problem, so mean +- 1.96 sd / sqrt(problems)), and the self-checking words per completion from
# summary.json's self_check_words.
# Usage (from the repository root): docs/examples/smollm2-hour-table.sh SCORE_DIR...
set -euo pipefail
printf '| model | problems | accuracy [95%% CI] | cut at the limit | token entropy [95%% CI] | self-certainty [95%% CI] | wait/but/let me per completion [95%% CI] (wait, but, let me) | completions with one [95%% CI] |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
for d in "$@"; do
  jq -r --arg name "$(basename "$d")" '
    def f3: . * 1000 | round / 1000 | tostring;
    def ci($m; $sd; $n): "\($m | f3) [\(($m - 1.96 * $sd / ($n | sqrt)) | f3), \(($m + 1.96 * $sd / ($n | sqrt)) | f3)]";
    .counts.problems as $n
    | "| \($name) | \($n) | \(.accuracy | f3) [\(.accuracy_ci95[0] | f3), \(.accuracy_ci95[1] | f3)] | \(.counts.finish_length / .counts.rollouts | f3) | \(ci(.signals.token_entropy.mean; .signals.token_entropy.std; $n)) | \(ci(.signals.self_certainty.mean; .signals.self_certainty.std; $n)) | \(.self_check_words.per_completion.all | f3) [\(.self_check_words.per_completion_ci95.all[0] | f3), \(.self_check_words.per_completion_ci95.all[1] | f3)] (\(.self_check_words.per_completion.wait | f3), \(.self_check_words.per_completion.but | f3), \(.self_check_words.per_completion["let me"] | f3)) | \(.self_check_words.completions_with_any | f3) [\(.self_check_words.completions_with_any_ci95[0] | f3), \(.self_check_words.completions_with_any_ci95[1] | f3)] |"' \
    "$d/summary.json"
done
# Then each later directory against the first, paired by problem (the same held-out rows): the mean difference
# of correctness, token entropy and wait/but/let me count per completion, with its standard error over problems.
first="$1"
shift
per_problem() { jq -r '[.prompt_index, (if .correct then 1 else 0 end), .token_entropy,
  ([.completion | ascii_downcase | scan("\\b(wait|but|let\\s+me)\\b")] | length)] | @tsv' "$1/rollouts.jsonl"; }
for d in "$@"; do
  join -t $'\t' <(per_problem "$first" | sort -k1,1) <(per_problem "$d" | sort -k1,1) | awk -F'\t' -v name="$(basename "$d")" '
    { n++; for (i = 0; i < 3; i++) { x = $(5 + i) - $(2 + i); s[i] += x; q[i] += x * x } }
    END { printf "%s minus the first, paired over %d problems:", name, n
          split("accuracy,token entropy,wait/but/let me per completion", nm, ",")
          for (i = 0; i < 3; i++) { m = s[i] / n; se = sqrt((q[i] - n * m * m) / (n - 1) / n)
            printf " %s %+.3f (SE %.3f);", nm[i + 1], m, se }
          printf "\n" }'
done

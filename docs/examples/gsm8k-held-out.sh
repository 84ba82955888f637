#!/usr/bin/env bash
# Writes the rows of a JSONL file that `rlif train` holds out (docs/training.md, "Data": a row is held out when
# SHA-256 of "split_seed:id" read as a fraction of 2^256 falls below eval_fraction; id is the row's "id" field or
# its 0-based index), each with its id, so `rlif score` can evaluate a training run's checkpoints on exactly the
# problems the run never trained on. Defaults: split_seed 0, eval_fraction 0.1 (the trainer's defaults).
# Usage (from the repository root):
#   docs/examples/gsm8k-held-out.sh ../shared/data/gsm8k-test.jsonl > held-out.jsonl [SPLIT_SEED [FRACTION]]
# The comparison uses the hash's top 52 bits, which decides exactly as the trainer's top 53 bits do for any
# fraction whose 2^53 multiple is not an integer (0.1 is not); stderr says how many rows were held out, which
# must equal run.json's data.held_out_rows.
set -euo pipefail
file="${1:?usage: gsm8k-held-out.sh FILE.jsonl [SPLIT_SEED [FRACTION]]}"
seed="${2:-0}"
fraction="${3:-0.1}"
# held out when floor(hash52) < ceil(fraction * 2^52) (exact integer arithmetic in awk's doubles: both < 2^53)
limit=$(awk -v f="$fraction" 'BEGIN { x = f * 4503599627370496; c = int(x); if (c < x) c++; printf "%.0f", c }')
index=0
held=0
while IFS= read -r line || [ -n "$line" ]; do
  if [ -n "$line" ]; then
    id=$(printf '%s' "$line" | jq -r 'if has("id") and .id != null then .id | tostring else empty end')
    [ -z "$id" ] && id=$index
    hex=$(printf '%s' "$seed:$id" | sha256sum | cut -c1-13)
    if [ $((16#$hex)) -lt "$limit" ]; then
      printf '%s' "$line" | jq -c --arg id "$id" '. + {id: $id}'
      held=$((held + 1))
    fi
  fi
  index=$((index + 1))
done < "$file"
echo "gsm8k-held-out.sh: $held of $index rows held out (split_seed $seed, eval_fraction $fraction)" >&2

#!/usr/bin/env bash
# Peak RSS of the floor under any rlif run: a JVM with rlif's launcher flags for `bench rollout` that only opens an
# ONNX Runtime session on a model file, beside a Python process that opens the same file with onnxruntime, and
# the JVM alone. Run after bench/peer-bench.sh (it needs that script's venv and exports):
#
#   bench/peer/jvm-floor.sh MODEL.onnx [MODEL.onnx ...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$here/.venv/bin/python"
[ -x "$py" ] || { echo "error: $py missing; run bench/peer-bench.sh first" >&2; exit 2; }
java_home="$("$root/bin/jdk")"
"$root/bin/rlif" --help >/dev/null   # builds the CLI, whose lib/ has the ONNX Runtime jar
ort_jar="$(ls "$root"/cli/target/lib/onnxruntime-[0-9]*.jar | head -n 1)"
out="$here/.work/jvm-floor"
mkdir -p "$out"
"$java_home/bin/javac" -d "$out" -cp "$ort_jar" "$here/JvmFloor.java"
# the flags bin/rlif gives bench rollout (heap, collector, stack), so the floor is the one rlif runs on
java=("$java_home/bin/java" --enable-native-access=ALL-UNNAMED -Xss4m -Xms16m -Xmx2g -XX:+UseSerialGC -cp "$ort_jar:$out" JvmFloor)
peak() {  # peak RSS (MiB) of one command, its output discarded
  "$py" -c 'import os, subprocess, sys
c = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(c.pid, 0)
sys.exit(f"failed: {sys.argv[1:]}") if status else print(f"{usage.ru_maxrss / 1024:.1f}")' "$@"
}
echo "| model | JVM, session opened | Python onnxruntime, session opened |"
echo "|---|---|---|"
echo "| (none: the JVM alone) | $(peak "${java[@]}") | |"
for model in "$@"; do
  python_open="$(peak "$py" -c 'import onnxruntime as ort, sys
o = ort.SessionOptions(); o.intra_op_num_threads = 1
ort.InferenceSession(sys.argv[1], o)' "$model")"
  echo "| $model | $(peak "${java[@]}" "$model") | $python_open |"
done

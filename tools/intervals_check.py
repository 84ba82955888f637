"""Cross-check of rlif's clustered intervals (rlif.evaluator.metrics.Intervals) against statsmodels.

For a few data sets of graded rollouts grouped by problem, statsmodels gives
  - the cluster-robust standard error of the share correct: OLS of the 0/1 outcomes on a constant with
    cov_type="cluster" by problem (its small-sample factor G/(G-1) * (N-1)/(N-K) is G/(G-1) for K = 1,
    the factor rlif uses), and
  - Wilson's score interval (proportion_confint(method="wilson")) at the effective sample size
    p (1 - p) / se^2 that rlif uses.
Writes evaluator/src/test/resources/intervals/statsmodels.json; IntervalsMatchStatsmodelsTest reads it.
Run: python3 -m venv tools/.venv && tools/.venv/bin/pip install statsmodels && tools/.venv/bin/python tools/intervals_check.py
"""
import json
import pathlib

import numpy as np
import statsmodels
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint


def case(name, successes, trials):
    y, groups = [], []
    for g, (s, t) in enumerate(zip(successes, trials)):
        y += [1.0] * int(s) + [0.0] * int(t - s)
        groups += [g] * int(t)
    y = np.array(y)
    fit = sm.OLS(y, np.ones(len(y))).fit(cov_type="cluster", cov_kwds={"groups": np.array(groups)})
    p = float(fit.params[0])
    se = float(fit.bse[0])
    n_eff = min(len(y), p * (1 - p) / se ** 2)
    low, high = proportion_confint(p * n_eff, n_eff, alpha=0.05, method="wilson")
    return {"name": name, "successes": [int(s) for s in successes], "trials": [int(t) for t in trials],
            "estimate": p, "stderr": se, "effective_size": n_eff, "low": float(low), "high": float(high)}


rng = np.random.default_rng(20261205)
cases = []
ease = rng.uniform(size=30)
cases.append(case("30 problems x 8 rollouts, varying difficulty", rng.binomial(8, ease), [8] * 30))
cases.append(case("40 problems x 1 rollout", rng.binomial(1, 0.35, size=40), [1] * 40))
trials = rng.integers(1, 7, size=25)
cases.append(case("25 problems, 1 to 6 graded rollouts each", rng.binomial(trials, rng.uniform(0.2, 0.9, size=25)),
                  trials))
cases.append(case("12 problems x 4 rollouts, mostly right", rng.binomial(4, 0.9, size=12), [4] * 12))

out = pathlib.Path(__file__).resolve().parent.parent / "evaluator/src/test/resources/intervals/statsmodels.json"
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(json.dumps({"statsmodels": statsmodels.__version__, "cases": cases}, indent=1) + "\n")
print("wrote", out)
for c in cases:
    print(f"{c['name']}: p {c['estimate']:.4f} se {c['stderr']:.5f} [{c['low']:.4f}, {c['high']:.4f}]")

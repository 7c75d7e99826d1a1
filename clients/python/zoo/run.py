"""Runs the zoo: every sampler, correct and with each of its bugs, over several seeds, through scorespec check.

    PYTHONPATH=clients/python python3 -m zoo.run [--seeds 5] [--n 10000]

Prints one row per (sampler, bug): how often check's verdict was "fail" (the power for a bug; the false-failure rate
for a correct sampler), at check's default false-failure probability 1e-6."""

import argparse
import sys

import numpy as np

from scorespec import ScoreSpec, ScoreSpecError

from . import common as c
from .samplers import SAMPLERS


def judge(ss, result, law):
    """check's verdict on a zoo result (a distribution claim on samples, or a pointwise claim on values), the reasons,
    and the margin: the largest statistic over its threshold (above 1 fails; far above 1 means the bug is caught with
    room to spare, infinite for non-finite output)."""
    if not np.all(np.isfinite(result)):
        return "fail", "non-finite output", float("inf")
    if law.get("claim") == "pointwise":
        answer = ss.check_pointwise(c.DATA, law["path"], law["quantity"], law["t"], law["points"], result,
                                    rtol=law["rtol"], atol=law["atol"])
        margin = answer["worst"]["error_over_tolerance"]
        return answer["verdict"], f"worst error over tolerance {margin:.3g}", margin
    answer = ss.check_distribution(c.DATA, result, law.get("path"), law.get("t"))
    margin = max(t["statistic"] / t["threshold"] for t in answer["tests"])
    return answer["verdict"], ", ".join(answer["failures"]), margin


def verdict(ss, result, law):
    v, reason, _ = judge(ss, result, law)
    return v, reason


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--only", default="", help="comma-separated sampler names (default: every sampler of the zoo)")
    args = parser.parse_args(argv)
    only = {s for s in args.only.split(",") if s}
    unknown = only - set(SAMPLERS)
    if unknown:
        parser.error(f"unknown sampler(s) {', '.join(sorted(unknown))}; the zoo has {', '.join(SAMPLERS)}")
    rows = []
    print(f"n = {args.n}, seeds 0..{args.seeds - 1} (generator seed 1000 seed + 7), check's default false-failure probability 1e-6")
    print("| sampler | bug | failed | smallest margin | largest margin | tests that failed |")
    print("|---|---|---|---|---|---|")
    with ScoreSpec() as ss:
        for name, (sampler, bugs) in SAMPLERS.items():
            if only and name not in only:
                continue
            for bug in [None] + bugs:
                fails, why, margins = 0, set(), []
                for seed in range(args.seeds):
                    samples, law = sampler(args.n, np.random.default_rng(1000 * seed + 7), bug)
                    v, reason, margin = judge(ss, samples, law)
                    margins.append(margin)
                    if v == "fail":
                        fails += 1
                        why.update(r for r in reason.split(", ") if r and not r.startswith("worst"))
                rows.append((name, bug or "(correct)", fails, args.seeds, sorted(why)))
                print(f"| {name} | {bug or '(correct)'} | {fails}/{args.seeds} | {min(margins):.3g} | {max(margins):.3g} | "
                      f"{', '.join(sorted(why))[:90]} |", flush=True)
    bad = [r for r in rows if (r[1] == "(correct)") != (r[2] == 0)]
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())

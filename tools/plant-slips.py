#!/usr/bin/env python3
"""Plants each slip of issue 11 in a scratch copy of the repository, one at a time, runs the default test run
(`dotnet test ScoreSpec.sln --filter "Category!=Slow"`) and `scorespec verify --quick`, and reports what caught it.

Usage: python3 tools/plant-slips.py [--filter F] [--no-verify] [slip ...]
(from the repository root; about 7 minutes per slip with the default filter, 2 with the slow tier's)
A slip that no test catches is a hole in the checks: the script exits 1 if any slip survives the default test run.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# (name, file, text to find (exactly once), replacement)
SLIPS = [
    ("noise g|h| instead of g sqrt|h| in the samplers", "src/ScoreSpec/Sampling/Samplers.cs",
     "double h = schedule.H, sqrtH = Math.Sqrt(Math.Abs(h));", "double h = schedule.H, sqrtH = Math.Abs(h);"),
    ("Kolmogorov tail exp(-k^2 x^2) instead of exp(-2 k^2 x^2)", "src/ScoreSpec/Statistics/Tests.cs",
     "Math.Exp(-2.0 * k * k * x * x)", "Math.Exp(-1.0 * k * k * x * x)"),
    ("energy statistic with E|X - Y| instead of 2 E|X - Y|", "src/ScoreSpec/Statistics/Tests.cs",
     "return 2 * xy - xx - yy;", "return xy - xx - yy;"),
    ("Euler-of-VP betas at beta(t_i) instead of beta(t_{i+1})", "src/ScoreSpec/Discrete/Ddpm.cs",
     "(vp.BetaMin + (i + 1.0) / steps * (vp.BetaMax - vp.BetaMin)) / steps", "(vp.BetaMin + (double)i / steps * (vp.BetaMax - vp.BetaMin)) / steps"),
    ("Hutchinson Rademacher probes +-2", "src/ScoreSpec/Likelihood/Likelihood.cs",
     "probes[k][i] = (Xoshiro.Next(state) & 1) == 0 ? 1 : -1;", "probes[k][i] = (Xoshiro.Next(state) & 1) == 0 ? 2 : -2;"),
    ("Hutchinson Gaussian probes scaled by 1.2", "src/ScoreSpec/Likelihood/Likelihood.cs",
     "if (o.Divergence == DivergenceMethod.HutchinsonGaussian) Xoshiro.Normals(state, probes[k]);",
     "if (o.Divergence == DivergenceMethod.HutchinsonGaussian) { Xoshiro.Normals(state, probes[k]); for (int j = 0; j < d; j++) probes[k][j] *= 1.2; }"),
    ("classifier-free guidance with the weights swapped", "src/ScoreSpec/Guidance/Guidance.cs",
     "u + weight * (conditional[i] - u)", "conditional[i] + weight * (u - conditional[i])"),
    ("DDPM posterior mean with abar_{i-1} for sqrt(abar_{i-1})", "src/ScoreSpec/Discrete/Ddpm.cs",
     "Math.Sqrt(AlphaBarBefore(i)) * Betas[i] / denom", "AlphaBarBefore(i) * Betas[i] / denom"),
]


def failed_tests(results):
    names = []
    for f in os.listdir(results):
        if f.endswith(".trx"):
            text = open(os.path.join(results, f), encoding="utf-8").read()
            names += re.findall(r'testName="([^"]+)"[^>]*outcome="Failed"', text)
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--filter", default="Category!=Slow")
    ap.add_argument("--no-verify", action="store_true", help="skip scorespec verify --quick (the slow tier's cheaper run)")
    ap.add_argument("only", nargs="*", help="indices of slips to run (default: all)")
    args = ap.parse_args()
    repo = os.getcwd()
    parent = tempfile.mkdtemp(prefix="scorespec-slips-")
    scratch = os.path.join(parent, "main")
    subprocess.run(["git", "clone", "-q", repo, scratch], check=True)
    shared = os.path.join(os.path.dirname(repo), "shared")
    if os.path.isdir(shared):
        shutil.copytree(shared, os.path.join(parent, "shared"))  # the worked examples read the seeds beside the repository
    env = dict(os.environ, SNAPSHOOTER_STRICT_MODE="true", DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1")
    survivors = 0
    report = []
    chosen = [int(i) for i in args.only] if args.only else range(len(SLIPS))
    for index in chosen:
        name, rel, find, replace = SLIPS[index]
        path = os.path.join(scratch, rel)
        subprocess.run(["git", "-C", scratch, "checkout", "-q", "--", "."], check=True)
        text = open(path, encoding="utf-8").read()
        if text.count(find) != 1:
            print(f"slip {index} ({name}): the text to change occurs {text.count(find)} times in {rel}; update this script", file=sys.stderr)
            return 2
        open(path, "w", encoding="utf-8").write(text.replace(find, replace))
        results = tempfile.mkdtemp(prefix="slip-trx-")
        subprocess.run(["dotnet", "test", "ScoreSpec.sln", "-c", "Release", "--filter", args.filter, "--logger", "trx", "--results-directory", results],
                       cwd=scratch, env=env, capture_output=True, text=True)
        failed = failed_tests(results)
        ids = []
        if not args.no_verify:
            verify = subprocess.run(["dotnet", "run", "--project", "src/ScoreSpec.Cli", "-c", "Release", "--", "verify", "--quick", "--json"],
                                    cwd=scratch, env=env, capture_output=True, text=True)
            try:
                ids = [r["id"] for r in json.loads(verify.stdout) if not r["passed"]]
            except json.JSONDecodeError:
                ids = ["(verify did not answer JSON)"]
        if not failed:
            survivors += 1
        shown = sorted({re.sub(r"\(.*", "", n).split(".")[-1] for n in failed})
        report.append(f"| {name} | {len(failed)}: {', '.join(shown[:8])}{' ...' if len(shown) > 8 else ''} | {', '.join(ids) or 'none'} |")
        print(report[-1], flush=True)
    print("\n| slip | failing default tests | failing verify --quick identities |\n|---|---|---|")
    print("\n".join(report))
    shutil.rmtree(parent, ignore_errors=True)
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())

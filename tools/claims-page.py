#!/usr/bin/env python3
"""Writes docs/claims.md: every claim of the five seeds mapped to where ScoreSpec checks it.

The first part is generated from the catalog (`scorespec verify --quick --json`, each identity's source names the seed and
section it checks) and from the worked examples (`scorespec examples --json`); the second part, claims checked by tests or
not checked yet, is kept by hand below (OTHER_CLAIMS) and must be edited when such a claim is checked.

Usage: python3 tools/claims-page.py   (from the repository root; runs the CLI in Release)
"""
import collections
import json
import re
import subprocess
import sys

SEEDS = {
    "000": "000_96580a9192c7f480.txt, Module 7.2 plan: the score-based perspective and flow matching",
    "001": "001_3fe0234040153bde.txt, lesson 14: the DDPM chain as an SDE, the probability-flow ODE, one map of L11-L14",
    "002": "002_22615f36bca0b7b4.txt, notes on Holderrieth and Erives, chapters 1-9",
    "003": "003_a27069ae43775eb5.txt, score-based diffusion and SDEs (Song et al. 2021)",
    "004": "004_f50e3e454b2b1121.txt, score-based models: the score-SDE view, its objectives and hands-on companions",
}

# (seed, claim, where ScoreSpec checks it, status): status is "test" (checked by a named test or documented measurement),
# "partly" or "not yet" (an open item of issue 18).
OTHER_CLAIMS = [
    ("000", "Straight (flow-matching) paths need fewer sampling steps than curved diffusion paths",
     "tests/Properties/Straightness.cs `StraightPathsWinOnlyWhenTheDataAreConcentrated` (true only for concentrated data; measured)", "test"),
    ("000", "Rectified flow: reflow straightens trajectories for fewer steps", "issue 18", "not yet"),
    ("000", "Velocity, noise and score prediction are parameterisations of one field",
     "catalog conversions.roundtrip, prop1.marginal; PathPoint.Convert", "test"),
    ("001", "The DDPM chain is a discretisation of the VP SDE",
     "tests/Properties/DdpmTests.cs `EulerScheduleConvergesToTheVpSdeAtRateOne`, `ChainMarginalsMatchTheClosedForm`", "test"),
    ("001", "DDIM is the probability-flow ODE", "catalog ddim.first-order; DdpmTests `DdimWithEtaZeroIsAFirstOrderProbabilityFlowSolver`", "test"),
    ("001", "The probability-flow ODE gives a tractable likelihood", "catalog likelihood.exact, likelihood.hutchinson; tests/Properties/LikelihoodTests.cs", "test"),
    ("002", "Ch. 4: the extension SDE written with the velocity only", "issue 18", "not yet"),
    ("002", "Ch. 6: Langevin visits the modes in proportion to their weights", "catalog langevin.low-density-trap (true at stationarity; not within a budget when the modes are separated), langevin.mala", "partly"),
    ("002", "Ch. 8: v-prediction and min-SNR weighting improve training stability",
     "catalog losses.min-snr shows they are reweightings of one loss; stability of network training is outside an exact-score library", "partly"),
    ("002", "Ch. 9: SDE sampling corrects model error better than the ODE",
     "tests/Properties/SdeCorrectsModelError.cs (three spoiled scores on vp, ve, condot: the SDE is nearer the data in all 18 cases measured, by 1.4 to 6.5 times; docs/samplers.md)", "test"),
    ("002", "Tables: consistency models and progressive distillation",
     "catalog consistency.exact (the exact consistency function, self-consistency, one- and multistep sampling); distillation as a note in docs/samplers.md", "test"),
    ("002", "Ch. 1-9 worked numbers", "docs/examples.md (`scorespec examples`, one snapshot each)", "test"),
    ("003", "Predictor-corrector sampling", "tests/Properties/PredictorCorrectorVariants.cs; sampler.registry (predictor_corrector)", "test"),
    ("003", "Code listing of the sampler", "docs/examples.md, 'Wrong in the code' (two slips, CodeErrata)", "test"),
    ("003", "Bits per dimension with uniform dequantisation", "issue 18", "not yet"),
    ("003", "ODE solvers: orders of Euler, Heun, RK4, adaptive methods", "catalog ode.orders; tests/Properties/SolverOrders.cs", "test"),
    ("004", "Conditional generation by Bayes' rule; posterior sampling for inverse problems",
     "tests/Properties/InverseProblemTests.cs (exact mixture posterior; DPS measured against it); docs/training-and-likelihood.md", "test"),
    ("004", "A learned score: what training converges to", "issue 18 (tiny learned score)", "not yet"),
    ("004", "ODE solvers need 20-50 evaluations, the reverse SDE 500-1000",
     "tests/Properties/NfeClaims.cs (exact W2 on Gaussian data: true against a third-order solver, 2-7 times against a second-order one; docs/samplers.md)", "test"),
    ("004", "NCSN: geometric noise levels and annealed Langevin dynamics",
     "catalog ncsn.ve-limit, langevin.low-density-trap, sampler.registry (annealed_langevin)", "test"),
]

HEADER = """# Claims of the sources, and where ScoreSpec checks them

Written by `python3 tools/claims-page.py`. Part 1 is generated. It lists each catalog identity under every seed its
source cites, with the section, and then the worked numbers of `scorespec examples` by seed. Part 2 is kept by hand in
the script. It lists the claims that tests check outside the catalog and the claims nothing checks yet. Those are
the open items of issue 18.
"""


def cell(text):
    """Text for a Markdown table cell: a '|' of the mathematics escaped so that it does not end the cell."""
    return text.replace("|", "\\|")


def run(args):
    return json.loads(subprocess.run(["dotnet", "run", "--project", "src/ScoreSpec.Cli", "-c", "Release", "--"] + args,
                                     check=True, capture_output=True, text=True).stdout)


def main() -> int:
    identities = run(["verify", "--quick", "--json", "--seed", "0"])
    examples = run(["examples", "--json"])
    by_seed = collections.defaultdict(list)
    for r in identities:
        # Each mention of a seed is followed by the section it cites, up to the next mention, ';' or the end.
        for m in re.finditer(r"shared/seeds/(\d{3})([^;]*?)(?=shared/seeds/|;|$)", r["source"]):
            section = m.group(2).strip()
            while section.endswith(")") and section.count(")") > section.count("("):  # the source's own closing bracket
                section = section[:-1].strip()
            section = section.removesuffix(" and").strip()
            by_seed[m.group(1)].append((r["id"], section or "(the text as a whole)", r["statement"]))
    out = [HEADER, "\n## Part 1: the catalog and the worked numbers, by seed\n"]
    for seed, title in SEEDS.items():
        out.append(f"\n### {seed}: {title}\n\n| section cited | identity | claim checked |\n|---|---|---|\n")
        for ident, section, statement in by_seed.get(seed, []):
            short = statement if len(statement) <= 160 else statement[:157].rsplit(" ", 1)[0] + " ..."
            out.append(f"| {cell(section)} | `{ident}` | {cell(short)} |\n")
        worked = [e for e in examples if e["source"].startswith(f"shared/seeds/{seed}")]
        if worked:
            counts = collections.Counter(e["status"] for e in worked)
            out.append(f"\nWorked numbers: {len(worked)} ({', '.join(f'{v} {k}' for k, v in sorted(counts.items()))}); docs/examples.md.\n")
        else:
            out.append("\nWorked numbers: none in this text.\n")
    out.append("\n## Part 2: claims checked by tests, and claims not checked yet\n\n| seed | claim | where | status |\n|---|---|---|---|\n")
    for seed, claim, where, status in OTHER_CLAIMS:
        out.append(f"| {seed} | {cell(claim)} | {cell(where)} | {status} |\n")
    counted = sum(len(v) for v in by_seed.values())
    out.append(f"\nTotals: {len(identities)} identities citing the seeds {counted} times, {len(examples)} worked numbers, "
               f"{sum(1 for c in OTHER_CLAIMS if c[3] == 'test')} claims checked by tests, "
               f"{sum(1 for c in OTHER_CLAIMS if c[3] == 'partly')} partly and {sum(1 for c in OTHER_CLAIMS if c[3] == 'not yet')} not yet.\n")
    with open("docs/claims.md", "w", encoding="utf-8") as f:
        f.write("".join(out))
    print(f"docs/claims.md: {counted} identity citations, {len(OTHER_CLAIMS)} other claims")
    return 0


if __name__ == "__main__":
    sys.exit(main())

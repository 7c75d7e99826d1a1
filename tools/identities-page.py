#!/usr/bin/env python3
"""Writes docs/identities.md from `scorespec verify --quick --json --seed 0`, so the page lists exactly the catalog.

Usage: python3 tools/identities-page.py   (from the repository root; runs the CLI in Release)
"""
import json
import subprocess
import sys

HEADER = """# The identity catalog

Each identity below is a value in `ScoreSpec.Identities.Catalog`. `scorespec verify` runs the fast ones on 40 random
instances (10 with `--quick`) and the simulation ones on 3 (1 with `--quick`, 40 with `--full`); the property tests in
tests/Properties/IdentityProperties.cs run each under FsCheck. A seed fixes an instance; a failure prints the seed, and
`Catalog.Get(id).Check(seed)` replays it. Instances draw mixtures with 1 to 3 (or 4) components in 1 to 5 dimensions with
full covariances, path parameters around the contract defaults, and times in [0.05, 0.95]; identities that concern paths
check every kind of the path registry on every instance, the sampler identities a random kind per instance.

Each check computes its two sides apart: where one side is statistical, its tolerance is a stated number of standard
errors; where a method's own discretisation enters, the allowance comes from a computation written apart from that
method and is capped (see docs/verification.md for the negative controls that show each check fails for a planted slip).
This page is written by `python3 tools/identities-page.py`; residual and tolerance below are the worst instance of
`verify --quick --seed 0`.
"""


def main() -> int:
    out = subprocess.run(["dotnet", "run", "--project", "src/ScoreSpec.Cli", "-c", "Release", "--", "verify", "--quick", "--json", "--seed", "0"],
                         check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)
    parts = [HEADER]
    for r in rows:
        parts.append(f"\n## `{r['id']}`\n\n{r['statement']}\n\n- Source: {r['source']}\n- Tolerance: {r['tolerance_reason']}\n"
                     f"- Worst residual / tolerance at seed 0: {r['residual']:.3g} / {r['tolerance']:.3g}\n")
    with open("docs/identities.md", "w", encoding="utf-8") as f:
        f.write("".join(parts))
    print(f"docs/identities.md: {len(rows)} identities")
    return 0 if all(r["passed"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

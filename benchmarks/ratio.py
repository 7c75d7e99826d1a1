"""The whole `scorespec sample` command against the NumPy reference, as a ratio (the way the project states speed).

Both sides do the same work: the reverse VP SDE (beta 0.1..20) by Euler-Maruyama with the exact score of the contract's
two-component 2D mixture, 100 steps from t = 0.999 to t = 0.001, for n paths. The CLI side is the command a user runs,
process start, JSON parsing, the exact draws at the noise end, the run, the linear statistics and the JSON answer
included; the NumPy side is numpy_reference.run, the loop a NumPy user would write, without statistics. Each is the
best of five wall-clock runs. Run from the repository root after `dotnet build -c Release src/ScoreSpec.Cli`:

    python3 benchmarks/ratio.py [path to the ScoreSpec.Cli binary]
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_reference as ref  # noqa: E402

CLI = sys.argv[1] if len(sys.argv) > 1 else "src/ScoreSpec.Cli/bin/Release/net10.0/ScoreSpec.Cli"


def cli_seconds(n, threads, repeats=5):
    request = {
        "data": {"weights": [0.5, 0.5], "means": [[-2.0, 0.0], [2.0, 0.0]], "stds": [0.7, 0.7]},
        "path": {"kind": "vp", "beta_min": 0.1, "beta_max": 20.0},
        "sampler": "euler_maruyama", "steps": ref.STEPS, "n": n, "seed": 1, "threads": threads,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(request, f)
        name = f.name
    best, inner = float("inf"), None
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            out = subprocess.run([CLI, "sample", name], check=True, capture_output=True, text=True).stdout
            elapsed = time.perf_counter() - start
            if elapsed < best:
                best, inner = elapsed, json.loads(out)["seconds"]
    finally:
        os.unlink(name)
    return best, inner


def main():
    print(f"{'n':>8} {'numpy s':>9} {'cli 1 thread s':>15} {'ratio':>6} {'cli 2 threads s':>16} {'ratio':>6}  (ratio = numpy / cli; the CLI's own run time in brackets)")
    for n in (10_000, 100_000):
        ref.N = n
        numpy = ref.best_seconds()
        one, one_run = cli_seconds(n, 1)
        two, two_run = cli_seconds(n, 2)
        print(f"{n:>8} {numpy:>9.3f} {one:>8.3f} ({one_run:.3f}) {numpy / one:>6.2f} {two:>9.3f} ({two_run:.3f}) {numpy / two:>6.2f}")


if __name__ == "__main__":
    main()

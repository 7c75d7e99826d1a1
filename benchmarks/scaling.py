"""How the cost of `scorespec sample` grows: the run phase (phases.run of the answer) of Euler-Maruyama on the reverse VP
SDE with the exact score, as n, the number of components K and the dimension d grow. K and d use random full covariances
(no diagonal shortcut). Each figure is the median of three runs of the command; the tables give path-steps per second and
the time per path-step, which stays flat where the cost is linear. Also the peak resident memory of the command at
n = 2e6 (from /usr/bin/time). From the repository root, after `dotnet build -c Release src/ScoreSpec.Cli`:

    python3 benchmarks/scaling.py [path to the binary]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

CLI = sys.argv[1] if len(sys.argv) > 1 else "src/ScoreSpec.Cli/bin/Release/net10.0/ScoreSpec.Cli"


def full_mixture(k, d, seed=0):
    rng = np.random.default_rng(seed)
    means = rng.uniform(-3, 3, (k, d))
    covariances = []
    for _ in range(k):
        a = rng.normal(size=(d, d)) / np.sqrt(d)
        covariances.append((0.3 * a @ a.T + 0.1 * np.eye(d)).tolist())
    return {"weights": [1.0 / k] * k, "means": means.tolist(), "covariances": covariances}


def run(data, n, steps, repeats=3, measure_memory=False):
    request = {"data": data, "path": {"kind": "vp"}, "sampler": "euler_maruyama", "steps": steps, "n": n, "seed": 1,
               "budget_seconds": 1e6}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(request, f)
        name = f.name
    runs, memory = [], None
    try:
        for _ in range(repeats):
            command = ["/usr/bin/time", "-f", "%M", CLI, "sample", name] if measure_memory else [CLI, "sample", name]
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            runs.append(json.loads(done.stdout)["phases"]["run"])
            if measure_memory:
                memory = int(done.stderr.strip().splitlines()[-1])
    finally:
        os.unlink(name)
    return statistics.median(runs), memory


def table(title, rows):
    print(f"\n{title}\n")
    print("| case | run (median) | path-steps per second | ns per path-step |")
    print("|---|---|---|---|")
    for label, seconds, path_steps in rows:
        print(f"| {label} | {seconds:.3f} s | {path_steps / seconds / 1e6:.1f} M | {seconds / path_steps * 1e9:.1f} |", flush=True)


def main():
    iso = {"weights": [0.5, 0.3, 0.2], "means": [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]], "stds": [0.5, 0.7, 0.4]}
    rows = []
    for n in (10_000, 100_000, 1_000_000, 2_000_000):
        seconds, _ = run(iso, n, 100)
        rows.append((f"n = {n}, 100 steps (K = 3, d = 2, isotropic)", seconds, n * 100))
    table("Growth in n", rows)
    rows = []
    for k in (1, 4, 16, 64):
        seconds, _ = run(full_mixture(k, 8), 20_000, 50)
        rows.append((f"K = {k}, d = 8, full covariances (n = 20000, 50 steps)", seconds, 20_000 * 50))
    table("Growth in K", rows)
    rows = []
    for d in (1, 8, 32, 128):
        seconds, _ = run(full_mixture(4, d), 5_000, 50)
        rows.append((f"d = {d}, K = 4, full covariances (n = 5000, 50 steps)", seconds, 5_000 * 50))
    table("Growth in d", rows)
    seconds, memory = run(iso, 2_000_000, 50, repeats=1, measure_memory=True)
    print(f"\nPeak resident memory of the whole command at n = 2e6 (K = 3, d = 2, 50 steps): {memory / 1024:.0f} MB "
          f"(the ensemble alone is {2_000_000 * 2 * 8 / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()

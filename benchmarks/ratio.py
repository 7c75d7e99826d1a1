"""The whole `scorespec sample` command against the NumPy reference, as ratios (the way the project states speed).

Both sides are whole processes doing the same work on the same request: the reverse VP SDE (beta 0.1..20) by
Euler-Maruyama with the exact score of issue 15's three-component 2D mixture (numpy_reference.PROBLEM), from exact draws
at t = 0.999 to t = 0.001. The CLI side is `scorespec sample request.json` (start-up, JSON, the exact draws, the run,
the default statistics and the JSON answer); the NumPy side is `python3 numpy_reference.py n steps` (interpreter start,
NumPy import, the draws and the loop, no statistics). They run alternately, `--repeats` times each, and the table gives
the median of each and the ratio of the medians, numpy / cli (above 1: the CLI is faster). Only ratios measured in one
run mean anything on a shared machine. From the repository root, after `dotnet build -c Release src/ScoreSpec.Cli`:

    python3 benchmarks/ratio.py                    # the issue's request: n = 200000, 200 steps
    python3 benchmarks/ratio.py --table            # the corners: n from 1e4 to 2e6, steps from 50 to 1000
    python3 benchmarks/ratio.py --cli PATH         # another scorespec binary
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy_reference as ref  # noqa: E402

DEFAULT_CLI = "src/ScoreSpec.Cli/bin/Release/net10.0/ScoreSpec.Cli"


def timed(command):
    start = time.perf_counter()
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


def measure(cli, n, steps, repeats, threads=0):
    request = dict(ref.PROBLEM, steps=steps, n=n, seed=1, threads=threads)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(request, f)
        name = f.name
    cli_times, numpy_times, phases = [], [], []
    try:
        for _ in range(repeats):
            elapsed, out = timed([cli, "sample", name])
            cli_times.append(elapsed)
            phases.append(json.loads(out)["phases"])
            elapsed, _ = timed([sys.executable, os.path.join(HERE, "numpy_reference.py"), str(n), str(steps)])
            numpy_times.append(elapsed)
    finally:
        os.unlink(name)
    median_phases = {k: statistics.median(p[k] for p in phases) for k in phases[0]}
    return statistics.median(numpy_times), statistics.median(cli_times), median_phases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=DEFAULT_CLI)
    parser.add_argument("--table", action="store_true", help="the corners of n from 1e4 to 2e6 and steps from 50 to 1000")
    parser.add_argument("--full", action="store_true", help="with --table, also n = 2e6 at 1000 steps (NumPy alone takes about 15 minutes)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="the CLI's threads (0: every core)")
    args = parser.parse_args()
    cases = [(200_000, 200)]
    if args.table:
        cases = [(10_000, 50), (10_000, 1000), (100_000, 50), (100_000, 1000), (200_000, 200), (2_000_000, 50)]
        if args.full:
            cases.append((2_000_000, 1000))
    print("| n | steps | NumPy (median) | scorespec (median) | ratio | scorespec phases: start, draws, run, statistics |")
    print("|---|---|---|---|---|---|")
    for n, steps in cases:
        repeats = args.repeats if n * steps <= 5e7 else 1
        numpy, cli, p = measure(args.cli, n, steps, repeats, args.threads)
        print(f"| {n} | {steps} | {numpy:.3f} s | {cli:.3f} s | {numpy / cli:.1f} | "
              f"{p['start']:.3f}, {p['draws']:.3f}, {p['run']:.3f}, {p['statistics']:.3f} |", flush=True)


if __name__ == "__main__":
    main()

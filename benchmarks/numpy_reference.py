"""The NumPy reference for `scorespec sample`: the reverse VP SDE (beta 0.1..20) by Euler-Maruyama with the exact score
of an isotropic Gaussian mixture, vectorised over the ensemble as a NumPy user would write it. Start: exact draws of
p_t at t = 1 - 1e-3; end: t = 1e-3, the CLI's default grid.

The problem of issue 15 (PROBLEM): a three-component mixture in 2D. `python3 benchmarks/numpy_reference.py [n] [steps]`
prints the wall time of one run. ratio.py imports this module and times run() as a whole process would see it.
"""
import sys
import time

import numpy as np

PROBLEM = {
    "data": {"weights": [0.5, 0.3, 0.2], "means": [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]], "stds": [0.5, 0.7, 0.4]},
    "path": {"kind": "vp", "beta_min": 0.1, "beta_max": 20.0},
    "sampler": "euler_maruyama",
}


def mixture(problem):
    data = problem["data"]
    w = np.asarray(data["weights"], dtype=float)
    mu = np.asarray(data["means"], dtype=float)
    stds = data["stds"]
    var = np.asarray(stds, dtype=float) ** 2 if isinstance(stds, list) else np.full(len(w), float(stds) ** 2)
    return w, mu, var


def run(problem, n, steps, rng, epsilon=1e-3):
    """n paths, `steps` Euler-Maruyama steps of the reverse VP SDE; returns the final ensemble (n, d)."""
    w, mu, var = mixture(problem)
    bmin, bmax = problem["path"]["beta_min"], problem["path"]["beta_max"]
    k, d = mu.shape
    logw = np.log(w)

    def alpha_sigma(t):
        half = t * t * (bmax - bmin) / 4 + t * bmin / 2
        return np.exp(-half), np.sqrt(-np.expm1(-2 * half))

    def score(x, t):
        a, s = alpha_sigma(t)
        v = a * a * var + s * s                                   # (K,)
        diff = x[:, None, :] - a * mu[None, :, :]                 # (n, K, d)
        logn = logw - 0.5 * d * np.log(2 * np.pi * v) - 0.5 * (diff ** 2).sum(-1) / v
        logn -= logn.max(axis=1, keepdims=True)
        post = np.exp(logn)
        post /= post.sum(axis=1, keepdims=True)
        return -(post[:, :, None] * diff / v[None, :, None]).sum(axis=1)

    t0, t1 = 1 - epsilon, epsilon
    h = (t1 - t0) / steps
    a, s = alpha_sigma(t0)
    comp = rng.choice(k, size=n, p=w)
    x = a * (mu[comp] + np.sqrt(var[comp])[:, None] * rng.standard_normal((n, d))) + s * rng.standard_normal((n, d))
    for i in range(steps):
        t = t0 + i * h
        beta = bmin + t * (bmax - bmin)
        x = x + (-0.5 * beta * x - beta * score(x, t)) * h + np.sqrt(beta * abs(h)) * rng.standard_normal((n, d))
    return x


def seconds(problem, n, steps, seed=1):
    start = time.perf_counter()
    run(problem, n, steps, np.random.default_rng(seed))
    return time.perf_counter() - start


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    elapsed = seconds(PROBLEM, n, steps)
    print(f"numpy {np.__version__}: {elapsed:.3f} s for n = {n}, {steps} steps, {n * steps / elapsed / 1e6:.2f} M path-steps/s")

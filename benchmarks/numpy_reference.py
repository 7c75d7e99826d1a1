"""The same work as EnsembleBenchmarks.EulerMaruyama, written as a user would in vectorised NumPy: N = 10000 paths of
the reverse VP SDE (beta 0.1..20) in 2D with the exact score of the two-component mixture, 100 steps from t = 0.999 to
t = 0.001. Prints the best of five wall-clock times and path-steps per second. Run: python3 benchmarks/numpy_reference.py
"""
import time
import numpy as np

N, STEPS, D = 10000, 100, 2
w = np.array([0.5, 0.5]); mu = np.array([[-2.0, 0.0], [2.0, 0.0]]); var = np.array([0.49, 0.49])
bmin, bmax = 0.1, 20.0

def alpha_sigma(t):
    half = t * t * (bmax - bmin) / 4 + t * bmin / 2
    a = np.exp(-half)
    return a, np.sqrt(-np.expm1(-2 * half))

def score(x, t):
    a, s = alpha_sigma(t)
    v = a * a * var + s * s                                  # (K,)
    diff = x[:, None, :] - a * mu[None, :, :]                # (N, K, D)
    logn = np.log(w) - 0.5 * D * np.log(2 * np.pi * v) - 0.5 * (diff ** 2).sum(-1) / v
    logn -= logn.max(axis=1, keepdims=True)
    post = np.exp(logn); post /= post.sum(axis=1, keepdims=True)
    return -(post[:, :, None] * diff / v[None, :, None]).sum(axis=1)

def run(rng):
    t0, t1 = 0.999, 0.001
    h = (t1 - t0) / STEPS
    a, s = alpha_sigma(t0)
    comp = rng.integers(0, 2, N)
    x = a * (mu[comp] + np.sqrt(var[comp])[:, None] * rng.standard_normal((N, D))) + s * rng.standard_normal((N, D))
    for n in range(STEPS):
        t = t0 + n * h
        beta = bmin + t * (bmax - bmin)
        x = x + (-0.5 * beta * x - beta * score(x, t)) * h + np.sqrt(beta * abs(h)) * rng.standard_normal((N, D))
    return x

def best_seconds(repeats=5):
    rng = np.random.default_rng(1)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(rng)
        times.append(time.perf_counter() - start)
    return min(times)

if __name__ == "__main__":
    best = best_seconds()
    print(f"numpy {np.__version__}: {best * 1e3:.1f} ms for {N * STEPS} path-steps, {N * STEPS / best / 1e6:.2f} M path-steps/s")

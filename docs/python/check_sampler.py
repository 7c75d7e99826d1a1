"""Checking your own sampler against ScoreSpec's exact values (docs/python.md).

Run from the repository root after building the command (dotnet build -c Release src/ScoreSpec.Cli), or with
`scorespec` installed:

    PYTHONPATH=clients/python python3 docs/python/check_sampler.py

The code under test is written the way PyTorch users write it. If torch is installed it runs on torch tensors; otherwise
the same lines run on NumPy arrays (the script only uses operations both libraries spell the same way).
"""

import math
import sys

import numpy as np

from scorespec import ScoreSpec, mixture

try:
    import torch

    def to_array(t):
        return t.detach().cpu().numpy()

    def from_array(a):
        return torch.from_numpy(np.ascontiguousarray(a))

    randn = lambda generator, *shape: torch.randn(*shape, generator=generator, dtype=torch.float64)
    generator = torch.Generator().manual_seed(0)
    backend = "torch"
except ImportError:  # NumPy stands in for torch
    to_array = np.asarray
    from_array = np.asarray
    randn = lambda generator, *shape: generator.standard_normal(shape)
    generator = np.random.default_rng(0)
    backend = "numpy"

# The data: a two-component mixture in 2D. Its mean and covariance are known in closed form.
weights = np.array([0.3, 0.7])
means = np.array([[-2.0, 0.5], [1.5, -1.0]])
stds = np.array([0.6, 0.9])
data = mixture(weights=weights, means=means, stds=stds)
mean = weights @ means
cov = sum(w * (np.outer(m - mean, m - mean) + s * s * np.eye(2)) for w, m, s in zip(weights, means, stds))

# The VP path of Song et al.: beta(t) = 0.1 + 19.9 t, data at t = 0, noise at t = 1.
def beta(t):
    return 0.1 + 19.9 * t


def euler_maruyama(score, n, steps, noise_scale, t_start=1 - 1e-3, t_end=1e-3):
    """Reverse-SDE Euler-Maruyama from t_start to t_end: the sampler under test. noise_scale is where a slip hides.
    (ScoreSpec takes times strictly inside (0, 1); p_t at t_start is N(0, I) to within 4e-5 for this path.)"""
    x = randn(generator, n, 2)
    ts = np.linspace(t_start, t_end, steps + 1)
    for t, t_next in zip(ts[:-1], ts[1:]):
        h = t - t_next
        s = from_array(score(t, to_array(x)))
        x = x + (0.5 * beta(t) * x + beta(t) * s) * h + noise_scale(h) * math.sqrt(beta(t)) * randn(generator, n, 2)
    return to_array(x)


def moments_agree(samples, label):
    """The sample mean against the exact data mean, with standard errors from the exact covariance: |z| < 5 per
    coordinate has false-failure probability 6e-7 each (normal tails). Discretisation at 200 steps moves the mean by
    about 0.01, well below 5 standard errors (0.13 and 0.10) at n = 4000."""
    n = len(samples)
    z = (samples.mean(0) - mean) / np.sqrt(np.diag(cov) / n)
    ok = bool(np.all(np.abs(z) < 5)) and bool(np.all(np.abs(np.cov(samples.T) - cov) < 0.15 * np.abs(cov).max()))
    print(f"{label:48s} mean {np.round(samples.mean(0), 3)} (exact {np.round(mean, 3)}), z = {np.round(z, 1)}: {'ok' if ok else 'WRONG'}")
    return ok


def my_mixture_score(t, x, slip=False):
    """A score written by hand for this mixture, the way one does for toy experiments: the code under test in part 1.
    With slip=True it makes a classic mistake, the component variance alpha^2 s^2 + sigma instead of + sigma^2."""
    integral = 0.1 * t + 19.9 * t * t / 2
    alpha, sigma2 = math.exp(-integral / 2), -math.expm1(-integral)
    v = alpha ** 2 * stds ** 2 + (math.sqrt(sigma2) if slip else sigma2)
    diff = x[:, None, :] - alpha * means[None]
    log_r = np.log(weights) - 0.5 * (diff ** 2).sum(-1) / v - np.log(v)  # d = 2: log of v^(-d/2) is -log v
    r = np.exp(log_r - log_r.max(1, keepdims=True))
    r /= r.sum(1, keepdims=True)
    return -(r[:, :, None] * diff / v[None, :, None]).sum(1)


with ScoreSpec() as ss:
    # 1. A model's score against the exact one, on a grid of times and points (one request for all of them).
    xs = np.random.default_rng(1).normal(size=(200, 2)) * 2
    times = [0.05, 0.2, 0.5, 0.8]
    exact = ss.score(data, "vp", times, xs)  # shape (4, 200, 2)
    print(f"backend: {backend}; exact scores for {exact.shape[1]} points at {len(times)} times")
    model_ok = True
    for slip in (False, True):
        worst = max(np.abs(my_mixture_score(t, xs, slip) - exact[k]).max() / (1 + np.abs(exact[k]).max())
                    for k, t in enumerate(times))
        agrees = worst < 1e-10  # the two closed forms differ only by rounding
        print(f"{'hand-written score' + (', sigma for sigma^2 (a slip)' if slip else ''):48s} worst relative error {worst:.2e}: {'ok' if agrees else 'WRONG'}")
        model_ok &= agrees == (not slip)

    # 2. The sampler with the exact score as its model: a correct one and one with the classic slip (noise scaled by
    #    h instead of sqrt(h)). Each step asks ScoreSpec for the exact score at the ensemble's points.
    exact_score = lambda t, x: ss.score(data, "vp", t, x)
    correct = moments_agree(euler_maruyama(exact_score, 4000, 200, math.sqrt), "Euler-Maruyama")
    slipped = moments_agree(euler_maruyama(exact_score, 4000, 200, lambda h: h), "Euler-Maruyama, noise h (a slip)")

# The correct code passes and each slip is caught; the script's exit code says so.
sys.exit(0 if model_ok and correct and not slipped else 1)

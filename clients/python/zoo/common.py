"""The zoo's data and paths in NumPy: a 2D mixture sum_k w_k N(mu_k, s_k^2 I), and the closed forms of its marginal
p_t = sum_k w_k N(alpha_t mu_k, (alpha_t^2 s_k^2 + sigma_t^2) I) on the paths of docs/cli.md."""

import math

import numpy as np

W = np.array([0.3, 0.7])
MU = np.array([[-2.0, 0.5], [1.5, -1.0]])
S = np.array([0.6, 0.9])
DATA = {"weights": W.tolist(), "means": MU.tolist(), "stds": S.tolist()}

BETA_MIN, BETA_MAX = 0.1, 20.0
SIGMA_MIN, SIGMA_MAX = 0.01, 50.0


def vp(t):
    """alpha_t, sigma_t of the VP path (beta(t) = 0.1 + 19.9 t)."""
    integral = BETA_MIN * t + (BETA_MAX - BETA_MIN) * t * t / 2
    return math.exp(-integral / 2), math.sqrt(-math.expm1(-integral))


def beta(t):
    return BETA_MIN + (BETA_MAX - BETA_MIN) * t


def subvp(t):
    """alpha_t, sigma_t of the sub-VP path: sigma_t = 1 - alpha_t^2 (no square root)."""
    integral = BETA_MIN * t + (BETA_MAX - BETA_MIN) * t * t / 2
    return math.exp(-integral / 2), -math.expm1(-integral)


def ve(t):
    return 1.0, SIGMA_MIN * (SIGMA_MAX / SIGMA_MIN) ** t


def condot(t):
    """Flow matching's straight path, data at t = 1: alpha_t = t, sigma_t = 1 - t."""
    return t, 1.0 - t


def score(alpha, sigma, x, sigma_squared=None):
    """grad log p_t at points x (n, 2) for p_t with the given alpha and sigma. sigma_squared overrides sigma^2 (for
    re-enacting slips in the user's model code)."""
    s2 = sigma * sigma if sigma_squared is None else sigma_squared
    v = alpha * alpha * S * S + s2                                  # (K,)
    diff = x[:, None, :] - alpha * MU[None]                         # (n, K, 2)
    log_r = np.log(W) - 0.5 * (diff ** 2).sum(-1) / v - np.log(v)   # d = 2
    r = np.exp(log_r - log_r.max(1, keepdims=True))
    r /= r.sum(1, keepdims=True)
    return -(r[:, :, None] * diff / v[None, :, None]).sum(1)


def denoiser(alpha, sigma, x):
    """E[x_0 | x_t = x] by Tweedie: (x + sigma^2 score) / alpha."""
    return (x + sigma * sigma * score(alpha, sigma, x)) / alpha


def draw(alpha, sigma, n, rng):
    """Exact draws of p_t."""
    k = rng.choice(2, size=n, p=W)
    return alpha * MU[k] + np.sqrt(alpha * alpha * S[k] ** 2 + sigma * sigma)[:, None] * rng.standard_normal((n, 2))

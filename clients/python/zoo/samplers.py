"""The zoo's samplers. Each takes (n, rng, bug) and returns (samples, law): law names what the samples claim to be
drawn from, {"path": ..., "t": ...} for p_t, or {} for the data distribution. bug=None is the correct sampler; each
bug re-enacts one reported slip (the table in docs/check.md). The model is the exact score of zoo.common, so only the
sampler can be wrong."""

import math

import numpy as np

from . import common as c

T0, T1 = 1 - 1e-3, 1e-3  # the noise-end start and the data-end stop of the VP, sub-VP and VE samplers


def _reverse_em(path, alpha_sigma, drift_coef, g2, n, steps, rng, bug, model=None):
    """Reverse-SDE Euler-Maruyama from T0 to T1: x <- x - h (f(x, t) - g(t)^2 s(x, t)) + g(t) sqrt(h) z, started from
    exact draws of p_T0. drift_coef(t) is f(x, t) / x; model(t, x) is the score the user's code computes."""
    a0, s0 = alpha_sigma(T0)
    x = c.draw(a0, s0, n, rng)
    ts = np.linspace(T0, T1, steps + 1)
    for t, t_next in zip(ts[:-1], ts[1:]):
        h = t - t_next
        a, s = alpha_sigma(t)
        sc = model(t, x) if model else c.score(a, s, x)
        f = drift_coef(t) * x
        g2t = g2(t)
        if bug == "g2_halved":
            g2t_drift = g2t / 2
        else:
            g2t_drift = g2t
        drift = f + g2t_drift * sc if bug == "drift_sign" else f - g2t_drift * sc
        noise = math.sqrt(g2t) * (h if bug == "noise_dt" else math.sqrt(h)) * rng.standard_normal(x.shape)
        x = x - h * drift + noise
    return x, {"path": {"kind": path}, "t": T1}


def em_vp(n, rng, bug=None, steps=500):
    """VP reverse SDE. Bugs: noise_dt (noise scaled by h instead of sqrt(h)), drift_sign (the reverse drift's score term
    with the wrong sign), g2_halved (the score term with g^2 / 2: the probability-flow drift with the SDE's noise)."""
    return _reverse_em("vp", c.vp, lambda t: -c.beta(t) / 2, c.beta, n, steps, rng, bug)


def em_ve(n, rng, bug=None, steps=1000):
    """VE reverse SDE, g(t)^2 = d sigma^2/dt = 2 sigma^2 ln(sigma_max / sigma_min). Bugs: ve_g_missing_log_factor (a
    .NET port's g = sigma(t), without sqrt(2 ln(sigma_max / sigma_min))), sigma_for_sigma2 (the model adds sigma instead
    of sigma^2 to the component variances)."""
    log_ratio = math.log(c.SIGMA_MAX / c.SIGMA_MIN)
    if bug == "ve_g_missing_log_factor":
        g2 = lambda t: c.ve(t)[1] ** 2
    else:
        g2 = lambda t: 2 * c.ve(t)[1] ** 2 * log_ratio
    model = (lambda t, x: c.score(1.0, c.ve(t)[1], x, sigma_squared=c.ve(t)[1])) if bug == "sigma_for_sigma2" else None
    return _reverse_em("ve", c.ve, lambda t: 0.0, g2, n, steps, rng, None, model)


def em_subvp(n, rng, bug=None, steps=500):
    """Sub-VP reverse SDE, g(t)^2 = beta(t) (1 - exp(-2 int beta)). Bug: subvp_std_sqrt (the model's sigma_t =
    sqrt(1 - alpha_t^2), VP's, instead of 1 - alpha_t^2)."""
    def g2(t):
        integral = c.BETA_MIN * t + (c.BETA_MAX - c.BETA_MIN) * t * t / 2
        return c.beta(t) * -math.expm1(-2 * integral)
    model = None
    if bug == "subvp_std_sqrt":
        model = lambda t, x: c.score(c.subvp(t)[0], math.sqrt(1 - c.subvp(t)[0] ** 2), x)
    return _reverse_em("subvp", c.subvp, lambda t: -c.beta(t) / 2, g2, n, steps, rng, None, model)


def flow_euler(n, rng, bug=None, steps=400, shift=3.0):
    """Flow matching's Euler sampler on condot (noise at t = 0, data at t = 1) with SD3's shift of the noise levels
    sigma = 1 - t: sigma' = s sigma / (1 + (s - 1) sigma), from t = 1e-3 to 1 - 1e-3. The velocity is
    E[z - e | x_t] = D(x) + (1 - t) score(x). Bug: shift_applied_twice (a scheduler that shifts its sigmas when it builds
    them and again when it passes the time to the model: the update steps by the once-shifted levels while the model is
    asked at the twice-shifted ones)."""
    def shifted(sig):
        return shift * sig / (1 + (shift - 1) * sig)
    sig = shifted(np.linspace(1 - 1e-3, 1e-3, steps + 1))
    ts = 1 - sig
    a0, s0 = c.condot(ts[0])
    x = c.draw(a0, s0, n, rng)
    for k in range(steps):
        t_model = 1 - shifted(sig[k]) if bug == "shift_applied_twice" else ts[k]
        a, s = c.condot(t_model)
        u = c.denoiser(a, s, x) + s * c.score(a, s, x)
        x = x + (ts[k + 1] - ts[k]) * u
    return x, {"path": {"kind": "condot"}, "t": float(ts[-1])}


def ddim_vp(n, rng, bug=None, steps=200):
    """DDIM (DPM-Solver-1) on VP in log-SNR: x' = (alpha'/alpha) x - sigma' (exp(h) - 1) eps, h = lambda' - lambda,
    lambda = log(alpha / sigma), eps = -sigma score. Bug: log_sigma_zero (the schedule runs to sigma = 0 at t = 0, where
    lambda = +inf: the last step turns every point into NaN, as a third-order singlestep DPM-Solver did)."""
    end = 0.0 if bug == "log_sigma_zero" else T1
    ts = np.linspace(T0, end, steps + 1)
    a0, s0 = c.vp(ts[0])
    x = c.draw(a0, s0, n, rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        for t, t_next in zip(ts[:-1], ts[1:]):
            a, s = c.vp(t)
            a2, s2 = c.vp(t_next)
            lam, lam2 = math.log(a / s), (math.log(a2 / s2) if s2 > 0 else math.inf)
            eps = -s * c.score(a, s, x)
            h = lam2 - lam
            x = (a2 / a) * x - s2 * math.expm1(h) * eps if math.isfinite(h) else x * np.nan
    return x, {"path": {"kind": "vp"}, "t": T1}


def ddpm(n, rng, bug=None, steps=1000):
    """DDPM's ancestral chain with the linear schedule beta_i = 1e-4 .. 0.02, i = 1..T, from exact draws of q(x_T) to x_0:
    x_{i-1} = (x_i + beta_i score_i(x_i)) / sqrt(1 - beta_i) + sqrt(beta_i) z (z = 0 at i = 1), with the exact score of
    q(x_i) = p on alpha = sqrt(abar_i), sigma = sqrt(1 - abar_i). The claim: x_0 is drawn from the data distribution.
    Bug: variance_index_off_by_one (the noise of step i drawn with beta_{i+1}'s variance, the schedule read one step
    late)."""
    betas = np.linspace(1e-4, 0.02, steps)
    abar = np.cumprod(1 - betas)
    x = c.draw(math.sqrt(abar[-1]), math.sqrt(1 - abar[-1]), n, rng)
    for i in range(steps - 1, -1, -1):
        sc = c.score(math.sqrt(abar[i]), math.sqrt(1 - abar[i]), x)
        x = (x + betas[i] * sc) / math.sqrt(1 - betas[i])
        if i > 0:
            var = betas[min(i + 1, steps - 1)] if bug == "variance_index_off_by_one" else betas[i]
            x = x + math.sqrt(var) * rng.standard_normal(x.shape)
    return x, {}


def pc_vp(n, rng, bug=None, steps=500, snr=0.16):
    """Predictor-corrector on VP in score_sde's form: at each grid time one Langevin corrector step x += eps s +
    sqrt(2 eps) z with eps = 2 a (snr |z| / |s|)^2 (norms averaged over the ensemble, a = 1 - beta(t) h, score_sde's
    alpha_i), then the reverse-SDE Euler-Maruyama predictor. Bug: langevin_step_missing_2alpha (eps without the factor
    2 a, as reported against a reimplementation)."""
    a0, s0 = c.vp(T0)
    x = c.draw(a0, s0, n, rng)
    ts = np.linspace(T0, T1, steps + 1)
    for t, t_next in zip(ts[:-1], ts[1:]):
        h = t - t_next
        a, s = c.vp(t)
        sc = c.score(a, s, x)
        z = rng.standard_normal(x.shape)
        ratio = (snr * np.linalg.norm(z, axis=1).mean() / np.linalg.norm(sc, axis=1).mean()) ** 2
        eps = ratio if bug == "langevin_step_missing_2alpha" else 2 * (1 - c.beta(t) * h) * ratio
        x = x + eps * sc + math.sqrt(2 * eps) * z
        sc = c.score(a, s, x)
        x = x - h * (-c.beta(t) / 2 * x - c.beta(t) * sc) + math.sqrt(c.beta(t) * h) * rng.standard_normal(x.shape)
    return x, {"path": {"kind": "vp"}, "t": T1}


def likelihood_vp(n, rng, bug=None, steps=100):
    """log p at points by the probability-flow ODE on VP from t = 1e-5 to 1 (RK4 on x and the divergence of the
    velocity, by central differences in each coordinate), plus the log density of p_1 at the end point. The claim is
    pointwise: these are log p_t at t = 1e-5. Bug: prior_sign (the prior's log density subtracted instead of added, as
    reported against a likelihood routine)."""
    t0 = 1e-5
    a0, s0 = c.vp(t0)
    points = c.draw(a0, s0, min(n, 200), rng)

    def velocity(t, x):
        a, s = c.vp(t)
        return -c.beta(t) / 2 * (x + c.score(a, s, x))  # f - g^2 s / 2 with f = -beta x / 2, g^2 = beta

    def divergence(t, x, h=1e-5):
        total = np.zeros(len(x))
        for j in range(x.shape[1]):
            e = np.zeros(x.shape[1]); e[j] = h
            total += (velocity(t, x + e)[:, j] - velocity(t, x - e)[:, j]) / (2 * h)
        return total

    x, integral = points.copy(), np.zeros(len(points))
    ts = np.linspace(t0, 1 - 1e-9, steps + 1)
    for t, t_next in zip(ts[:-1], ts[1:]):
        dt = t_next - t
        k1, d1 = velocity(t, x), divergence(t, x)
        k2, d2 = velocity(t + dt / 2, x + dt / 2 * k1), divergence(t + dt / 2, x + dt / 2 * k1)
        k3, d3 = velocity(t + dt / 2, x + dt / 2 * k2), divergence(t + dt / 2, x + dt / 2 * k2)
        k4, d4 = velocity(t_next, x + dt * k3), divergence(t_next, x + dt * k3)
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        integral += dt / 6 * (d1 + 2 * d2 + 2 * d3 + d4)
    a1, s1 = c.vp(ts[-1])
    v = a1 * a1 * c.S * c.S + s1 * s1
    diff = x[:, None, :] - a1 * c.MU[None]
    log_prior = np.logaddexp.reduce(np.log(c.W) - 0.5 * (diff ** 2).sum(-1) / v - np.log(2 * np.pi * v), axis=1)
    values = (-log_prior if bug == "prior_sign" else log_prior) + integral
    return values, {"claim": "pointwise", "path": {"kind": "vp"}, "t": t0, "points": points, "quantity": "log_density",
                    "rtol": 1e-6, "atol": 1e-6}


SAMPLERS = {
    "em_vp": (em_vp, ["noise_dt", "drift_sign", "g2_halved"]),
    "em_ve": (em_ve, ["ve_g_missing_log_factor", "sigma_for_sigma2"]),
    "em_subvp": (em_subvp, ["subvp_std_sqrt"]),
    "flow_euler": (flow_euler, ["shift_applied_twice"]),
    "ddim_vp": (ddim_vp, ["log_sigma_zero"]),
    "ddpm": (ddpm, ["variance_index_off_by_one"]),
    "pc_vp": (pc_vp, ["langevin_step_missing_2alpha"]),
    "likelihood_vp": (likelihood_vp, ["prior_sign"]),
}

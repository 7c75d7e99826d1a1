"""Tests of the Python client against closed forms written here in NumPy, apart from ScoreSpec's C# code.

The data is a mixture of isotropic Gaussians N(mu_k, s_k^2 I) with weights w_k. Along the VP path (beta(t) = 0.1 +
19.9 t) the marginal is the mixture of N(alpha mu_k, (alpha^2 s_k^2 + sigma^2) I) with alpha = exp(-int_0^t beta / 2)
and sigma = sqrt(1 - alpha^2); its score, denoiser and velocity follow from the posterior weights of the components.
"""

import math

import numpy as np
import pytest

from scorespec import ScoreSpec, ScoreSpecError, mixture, path

W = np.array([0.3, 0.7])
MU = np.array([[-2.0, 0.5], [1.5, -1.0]])
S = np.array([0.6, 0.9])
DATA = mixture(weights=W, means=MU, stds=S)


def vp(t):
    integral = 0.1 * t + 19.9 * t * t / 2
    alpha = math.exp(-integral / 2)
    sigma = math.sqrt(-math.expm1(-integral))
    beta = 0.1 + 19.9 * t
    alpha_dot = -beta / 2 * alpha
    sigma_dot = beta * alpha * alpha / (2 * sigma)
    return alpha, sigma, alpha_dot, sigma_dot


def exact(t, x):
    """log p_t, score, denoiser and velocity at points x (n, d), in NumPy."""
    alpha, sigma, alpha_dot, sigma_dot = vp(t)
    d = x.shape[1]
    v = alpha ** 2 * S ** 2 + sigma ** 2                                   # (K,)
    diff = x[:, None, :] - alpha * MU[None, :, :]                          # (n, K, d)
    log_comp = np.log(W) - 0.5 * (diff ** 2).sum(-1) / v - 0.5 * d * np.log(2 * np.pi * v)
    log_p = np.logaddexp.reduce(log_comp, axis=1)
    r = np.exp(log_comp - log_p[:, None])                                  # posterior weights (n, K)
    score = -(r[:, :, None] * diff / v[None, :, None]).sum(1)
    # E[z | x] per component: mu_k + s_k^2 alpha (x - alpha mu_k) / v_k
    post = MU[None] + (S ** 2 * alpha / v)[None, :, None] * diff
    denoiser = (r[:, :, None] * post).sum(1)
    noise = -sigma * score
    velocity = alpha_dot * denoiser + sigma_dot * noise
    return log_p, score, denoiser, velocity


@pytest.fixture(scope="module")
def ss():
    with ScoreSpec() as client:
        yield client


POINTS = np.array([[0.1, -0.3], [1.0, 2.0], [-2.5, 0.0], [3.0, -3.0]])


@pytest.mark.parametrize("t", [0.01, 0.3, 0.5, 0.9])
def test_exact_quantities_match_numpy_closed_forms(ss, t):
    log_p, score, denoiser, velocity = exact(t, POINTS)
    answer = ss.eval(DATA, "vp", t, POINTS)
    np.testing.assert_allclose(answer["log_density"], log_p, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(answer["score"], score, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(answer["denoiser"], denoiser, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(answer["velocity"], velocity, rtol=1e-9, atol=1e-9)
    alpha, sigma, _, _ = vp(t)
    assert answer["alpha"] == pytest.approx(alpha, rel=1e-13)
    assert answer["sigma"] == pytest.approx(sigma, rel=1e-13)


def test_convenience_methods_and_shapes(ss):
    np.testing.assert_allclose(ss.score(DATA, "vp", 0.5, POINTS), exact(0.5, POINTS)[1], rtol=1e-10, atol=1e-10)
    one = ss.score(DATA, "vp", 0.5, POINTS[1])
    assert one.shape == (2,)
    np.testing.assert_allclose(one, exact(0.5, POINTS[1:2])[1][0], rtol=1e-10)
    assert np.ndim(ss.log_density(DATA, "vp", 0.5, POINTS[0])) == 0
    np.testing.assert_allclose(ss.noise(DATA, "vp", 0.5, POINTS), -vp(0.5)[1] * exact(0.5, POINTS)[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ss.denoiser(DATA, "vp", 0.5, POINTS), exact(0.5, POINTS)[2], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ss.velocity(DATA, "vp", 0.5, POINTS), exact(0.5, POINTS)[3], rtol=1e-9, atol=1e-9)


def test_many_times_in_one_request(ss):
    times = [0.05, 0.25, 0.75]
    scores = ss.score(DATA, "vp", times, POINTS)
    assert scores.shape == (3, 4, 2)
    for k, t in enumerate(times):
        np.testing.assert_allclose(scores[k], exact(t, POINTS)[1], rtol=1e-10, atol=1e-10)
    answer = ss.eval(DATA, "vp", times, POINTS, quantities=["log_density"])
    assert answer["alpha"].shape == (3,)
    np.testing.assert_allclose(answer["alpha"], [vp(t)[0] for t in times], rtol=1e-13)


def test_path_parameters_reach_the_server(ss):
    # A VP path with beta_max = 10: alpha differs from the default path's.
    a = ss.eval(DATA, path("vp", beta_min=0.1, beta_max=10.0), 0.5, POINTS[:1])["alpha"]
    assert a == pytest.approx(math.exp(-(0.1 * 0.5 + 9.9 * 0.25 / 2) / 2), rel=1e-13)


def test_a_bad_request_names_its_field_and_the_server_goes_on(ss):
    with pytest.raises(ScoreSpecError) as bad:
        ss.eval(mixture(weights=[0.5, 0.4], means=MU, stds=S), "vp", 0.5, POINTS)
    assert bad.value.field == "data.weights" and bad.value.code == 2
    with pytest.raises(ScoreSpecError) as late:
        ss.eval(DATA, "vp", 1.5, POINTS)
    assert late.value.field == "t"
    with pytest.raises(ScoreSpecError) as misspelt:
        ss.request("eval", {"data": DATA, "path": {"kind": "vp"}, "t": 0.5, "points": [[0, 0]], "qantities": ["score"]})
    assert misspelt.value.field == "qantities" and "quantities" in misspelt.value.message
    # Still serving, with the right answers.
    np.testing.assert_allclose(ss.score(DATA, "vp", 0.3, POINTS), exact(0.3, POINTS)[1], rtol=1e-10, atol=1e-10)


def test_sample_returns_the_final_points(ss):
    # DDIM with the exact score on Gaussian data ends near N(mu, s^2 I). Of n = 4000 points the sample mean has
    # standard error s / sqrt(n) = 0.016 per coordinate; 6 standard errors plus the sampler's bias at 100 steps (below
    # 0.01) bound the error with false-failure probability 2e-9 per coordinate (normal tails).
    data = mixture(weights=[1.0], means=[[1.0, -2.0]], stds=[1.0])
    answer = ss.sample(data, "vp", "ddim", n=4000, steps=100, seed=7)
    samples = answer["samples"]
    assert samples.shape == (4000, 2)
    np.testing.assert_allclose(samples.mean(0), answer["mean"], rtol=0, atol=1e-12)
    assert np.all(np.abs(samples.mean(0) - [1.0, -2.0]) < 6 * 1.0 / math.sqrt(4000) + 0.01)
    again = ss.sample(data, "vp", "ddim", n=4000, steps=100, seed=7)["samples"]
    assert np.array_equal(samples, again)  # the same seed gives the same bits


def test_likelihood_beside_the_exact_value(ss):
    answer = ss.likelihood(DATA, "vp", POINTS[:2], rtol=1e-9, atol=1e-9)
    # The reference is the exact log p_t at the start time t_start = epsilon (1e-5 by default).
    assert answer["t_start"] == pytest.approx(1e-5)
    np.testing.assert_allclose(answer["reference_log_density"], exact(answer["t_start"], POINTS[:2])[0], rtol=1e-12)
    # Exact divergence, the prior exact at the noise end: only the ODE solver's error remains (measured 2e-9 at
    # rtol = atol = 1e-9); 1e-7 leaves a factor 50 and still fails for a wrong sign or factor anywhere in the flow.
    np.testing.assert_allclose(answer["log_density"], answer["reference_log_density"], rtol=0, atol=1e-7)
    assert answer["nfe"].dtype.kind in "iu"


def test_samplers_are_listed(ss):
    names = {s["name"] for s in ss.samplers()}
    assert {"euler_maruyama", "ddim", "dpmpp_2m", "unipc"} <= names


def test_check_distribution_passes_exact_samples_and_fails_a_slip(ss):
    # Exact draws of the data law (NumPy's generator, seed 3) pass at false-failure probability 1e-6; the same draws
    # with the spread 10 % too wide fail (the covariance z-statistics are about 7 standard errors out at n = 20000).
    rng = np.random.default_rng(3)
    k = rng.choice(2, size=20000, p=W)
    x = MU[k] + S[k, None] * rng.standard_normal((20000, 2))
    answer = ss.check_distribution(DATA, x)
    assert answer["verdict"] == "pass", answer["failures"]
    mean = W @ MU
    wide = mean + 1.1 * (x - mean)
    answer = ss.check_distribution(DATA, wide)
    assert answer["verdict"] == "fail"
    assert any(name.startswith("covariance") for name in answer["failures"])


def test_check_pointwise_names_the_worst_value(ss):
    values = exact(0.5, POINTS)[1].copy()
    assert ss.check_pointwise(DATA, "vp", "score", 0.5, POINTS, values, rtol=1e-9)["verdict"] == "pass"
    values[3, 0] += 1e-3
    answer = ss.check_pointwise(DATA, "vp", "score", 0.5, POINTS, values, rtol=1e-9)
    assert answer["verdict"] == "fail" and answer["worst"]["point_index"] == 3


def test_check_convergence_of_a_numpy_heun_sampler(ss):
    # Heun on the probability-flow ODE of VP, written here in NumPy with the exact score of this file: order 2.
    def velocity(t, x):
        beta = 0.1 + 19.9 * t
        alpha, sigma, _, _ = vp(t)
        _, score, _, _ = exact(t, x)
        return -beta / 2 * (x + score)

    rng = np.random.default_rng(5)
    starts = rng.normal(size=(16, 2))
    runs = {}
    for steps in (16, 32, 64, 128):
        x, ts = starts.copy(), np.linspace(0.9, 0.05, steps + 1)
        for t, t2 in zip(ts[:-1], ts[1:]):
            k1 = velocity(t, x)
            k2 = velocity(t2, x + (t2 - t) * k1)
            x = x + (t2 - t) / 2 * (k1 + k2)
        runs[steps] = x
    answer = ss.check_convergence(DATA, "vp", 0.9, 0.05, starts, runs, order=2)
    assert answer["verdict"] == "pass", answer
    assert abs(answer["finest_order"] - 2) < 0.15
    assert ss.check_convergence(DATA, "vp", 0.9, 0.05, starts, runs, order=1)["verdict"] == "fail"


def test_check_weak_convergence_is_inconclusive_on_a_small_sample(ss):
    # 400 exact draws per "run": no discretisation error to see, so the finest errors are within the noise.
    rng = np.random.default_rng(9)
    alpha, sigma, _, _ = vp(0.3)
    runs = {}
    for steps in (8, 16, 32):
        k = rng.choice(2, size=400, p=W)
        runs[steps] = alpha * MU[k] + np.sqrt(alpha ** 2 * S[k] ** 2 + sigma ** 2)[:, None] * rng.standard_normal((400, 2))
    answer = ss.check_weak_convergence(DATA, "vp", 0.3, runs, order=1)
    assert answer["verdict"] == "inconclusive"
    assert len(answer["noise"]) == 3

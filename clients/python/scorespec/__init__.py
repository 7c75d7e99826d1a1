"""Exact reference values of score-based diffusion from Python, through ``scorespec serve``.

ScoreSpec knows, in closed form, the marginal p_t of a Gaussian-mixture data distribution carried along the Gaussian
paths of diffusion and flow matching (vp, subvp, ve, cosine, condot), with its exact score, denoiser, noise
prediction and velocity. This client starts one ``scorespec serve`` process and talks to it one JSON line per request,
so thousands of calls cost one process start. It needs only the standard library and NumPy.

    import numpy as np
    from scorespec import ScoreSpec, mixture

    data = mixture(weights=[0.3, 0.7], means=[[-2.0], [2.0]], stds=[0.5, 0.5])
    with ScoreSpec() as ss:
        s = ss.score(data, "vp", 0.5, np.array([[0.1], [1.0]]))        # shape (2, 1)
        s_t = ss.score(data, "vp", [0.1, 0.5, 0.9], np.zeros((4, 1)))  # shape (3, 4, 1)

The request formats, defaults and limits are those of the command line: docs/cli.md in the repository.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

__all__ = ["ScoreSpec", "ScoreSpecError", "mixture", "path"]


class ScoreSpecError(Exception):
    """A request that ScoreSpec refused: ``field`` names the request field, ``message`` says what is wrong,
    ``code`` is the command line's exit code (2 bad input, 3 a defect of ScoreSpec)."""

    def __init__(self, code: int, field: str | None, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.code = code
        self.field = field
        self.message = message


def mixture(weights: Sequence[float], means: Sequence[Sequence[float]] | np.ndarray, *, stds=None, variances=None,
            covariances=None) -> dict:
    """A Gaussian-mixture data distribution as the request's ``data`` object.

    Give exactly one of ``stds`` (one isotropic standard deviation per component), ``variances`` (one diagonal per
    component) or ``covariances`` (one full d x d matrix per component). Weights must sum to 1.
    """
    given = [x is not None for x in (stds, variances, covariances)]
    if sum(given) != 1:
        raise ValueError("give exactly one of stds, variances, covariances")
    data: dict[str, Any] = {"weights": _list(weights), "means": _list(means)}
    if stds is not None:
        data["stds"] = _list(stds)
    elif variances is not None:
        data["variances"] = _list(variances)
    else:
        data["covariances"] = _list(covariances)
    return data


def path(kind: str, **parameters: float) -> dict:
    """A path as the request's ``path`` object: ``path("vp", beta_min=0.1, beta_max=20)``, ``path("ve", sigma_max=50)``."""
    return {"kind": kind, **parameters}


def _list(x) -> Any:
    return np.asarray(x, dtype=float).tolist()


def _path(p: str | Mapping) -> dict:
    return {"kind": p} if isinstance(p, str) else dict(p)


def _points(x) -> tuple[list, bool]:
    """Points as a list of d-vectors, and whether the caller gave a single point (a 1D array)."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        return [a.tolist()], True
    if a.ndim != 2:
        raise ValueError(f"x must be a point (d,) or points (n, d), got shape {a.shape}")
    return a.tolist(), False


def _default_command() -> list[str]:
    if "SCORESPEC_COMMAND" in os.environ:
        return shlex.split(os.environ["SCORESPEC_COMMAND"])
    found = shutil.which("scorespec")
    if found:
        return [found]
    # A clone of the repository with the command built (dotnet build -c Release src/ScoreSpec.Cli).
    root = Path(__file__).resolve().parents[3]
    for build in ("Release", "Debug"):
        exe = root / "src" / "ScoreSpec.Cli" / "bin" / build / "net10.0" / "ScoreSpec.Cli"
        if exe.exists():
            return [str(exe)]
        dll = exe.with_suffix(".dll")
        if dll.exists():
            return ["dotnet", str(dll)]
    raise FileNotFoundError(
        "no scorespec command: install it (README, 'Install the command'), put it on PATH, set SCORESPEC_COMMAND, "
        "or build the repository's src/ScoreSpec.Cli")


class ScoreSpec:
    """One ``scorespec serve`` process. Use it as a context manager, or call :meth:`close`.

    ``command`` is the command line that starts ScoreSpec (a list); by default ``$SCORESPEC_COMMAND``, else
    ``scorespec`` on PATH, else the command built in this repository. Calls are thread-safe (one at a time).
    """

    def __init__(self, command: Sequence[str] | None = None):
        self._command = list(command) if command is not None else _default_command()
        self._process = subprocess.Popen(self._command + ["serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=None, text=True, encoding="utf-8", bufsize=1)
        self._lock = threading.Lock()
        self._next_id = 0

    # -- plumbing --------------------------------------------------------------------------------------------------

    def request(self, command: str, request: Mapping | None = None) -> Any:
        """Sends one request to ``command`` (eval, likelihood, sample, samplers) and returns the answer as parsed JSON;
        raises :class:`ScoreSpecError` for a refused request (the server keeps running)."""
        with self._lock:
            if self._process.poll() is not None:
                raise RuntimeError(f"the scorespec server has exited with code {self._process.returncode}")
            self._next_id += 1
            sent = self._next_id
            line = json.dumps({"id": sent, "command": command, "request": dict(request or {})},
                              allow_nan=False)
            self._process.stdin.write(line + "\n")
            self._process.stdin.flush()
            answer_line = self._process.stdout.readline()
        if not answer_line:
            raise RuntimeError("the scorespec server closed its output")
        answer = json.loads(answer_line)
        if answer.get("id") != sent:
            raise RuntimeError(f"answer {answer.get('id')} to request {sent}")
        if not answer["ok"]:
            e = answer["error"]
            raise ScoreSpecError(e["code"], e.get("field"), e["message"])
        return answer["answer"]

    def close(self) -> None:
        """Ends the server (closing its input ends it) and waits for it."""
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def __enter__(self) -> "ScoreSpec":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # -- exact values ----------------------------------------------------------------------------------------------

    def eval(self, data: Mapping, path: str | Mapping, t, x, quantities: Iterable[str] | None = None) -> dict:
        """Every requested quantity of p_t at the points ``x`` ((n, d) or (d,)) at time ``t`` (a number, or a list of
        times: each array then gains a leading axis over the times). Returns a dict of NumPy arrays and numbers: the
        path's coefficients (alpha, sigma, alpha_dot, sigma_dot, a, b, drift_coefficient, diffusion, snr, log_snr) and
        the quantities (log_density, score, noise, denoiser, velocity, v_prediction)."""
        pts, single = _points(x)
        req: dict[str, Any] = {"data": dict(data), "path": _path(path), "points": pts}
        many = np.ndim(t) > 0
        if many:
            req["times"] = np.asarray(t, dtype=float).tolist()
        else:
            req["t"] = float(t)
        if quantities is not None:
            req["quantities"] = list(quantities)
        answer = self.request("eval", req)
        out: dict[str, Any] = {}
        for key, value in answer.items():
            if isinstance(value, list):
                a = np.asarray(value, dtype=float)
                if single and key in ("log_density", "score", "noise", "denoiser", "velocity", "v_prediction"):
                    a = a[:, 0] if many else a[0]
                out[key] = a
            else:
                out[key] = value
        return out

    def _one(self, quantity: str, data, path, t, x) -> np.ndarray:
        return self.eval(data, path, t, x, [quantity])[quantity]

    def score(self, data: Mapping, path: str | Mapping, t, x) -> np.ndarray:
        """The exact score grad_x log p_t(x): shape of ``x``, with a leading time axis when ``t`` is a list."""
        return self._one("score", data, path, t, x)

    def denoiser(self, data: Mapping, path: str | Mapping, t, x) -> np.ndarray:
        """The exact denoiser E[x_0 | x_t = x] (the data end's point given the noisy one)."""
        return self._one("denoiser", data, path, t, x)

    def noise(self, data: Mapping, path: str | Mapping, t, x) -> np.ndarray:
        """The exact noise prediction E[eps | x_t = x] = -sigma_t score."""
        return self._one("noise", data, path, t, x)

    def velocity(self, data: Mapping, path: str | Mapping, t, x) -> np.ndarray:
        """The exact probability-flow velocity dx/dt of the path at x (the flow-matching target's marginal)."""
        return self._one("velocity", data, path, t, x)

    def log_density(self, data: Mapping, path: str | Mapping, t, x) -> np.ndarray:
        """The exact log p_t(x): shape (n,) for points (n, d), a number for one point."""
        return self._one("log_density", data, path, t, x)

    # -- samplers and likelihoods ----------------------------------------------------------------------------------

    def sample(self, data: Mapping, path: str | Mapping, sampler: str, n: int = 10000, steps: int | None = None,
               seed: int = 0, **options) -> dict:
        """Runs ``sampler`` (see :meth:`samplers`) with the exact score from the exact marginal at the noise end and
        returns the answer of ``scorespec sample`` with NumPy arrays, including ``samples`` (n, d), the final points.
        ``options`` are the request's other fields (epsilon, grid, threads, the sampler's own options)."""
        req: dict[str, Any] = {"data": dict(data), "path": _path(path), "sampler": sampler, "n": int(n), "seed": int(seed),
                               **options}
        if steps is not None:
            req["steps"] = int(steps)
        with tempfile.TemporaryDirectory(prefix="scorespec-") as folder:
            req["arrays"] = {"dir": folder, "format": "npy"}
            answer = self.request("sample", req)
            files = answer.pop("files")
            out = {k: (np.asarray(v, dtype=float) if isinstance(v, list) else v) for k, v in answer.items()}
            out["samples"] = np.load(files["samples"])
        return out

    def likelihood(self, data: Mapping, path: str | Mapping, x, **options) -> dict:
        """Log-likelihoods of the points ``x`` by the probability-flow ODE, beside the exact log density; ``options``
        are the request's other fields (epsilon, prior, divergence, probe, probes, seed, rtol, atol)."""
        pts, _ = _points(x)
        answer = self.request("likelihood", {"data": dict(data), "path": _path(path), "points": pts, **options})
        return {k: (np.asarray(v) if isinstance(v, list) else v) for k, v in answer.items()}

    # -- judging someone's sampler or model ----------------------------------------------------------------------

    def check_distribution(self, data: Mapping, samples, path: str | Mapping | None = None, t: float | None = None,
                           false_failure: float = 1e-6, seed: int = 0) -> dict:
        """Is ``samples`` ((n, d) array) a sample of p_t on ``path`` at time ``t`` (or, with neither, of the data
        distribution)? Returns the answer of ``scorespec check``: ``verdict`` ("pass" or "fail"), ``failures`` and
        ``tests`` (each mean, covariance entry, per-coordinate Kolmogorov-Smirnov distance and the energy statistic,
        with its threshold and the smallest error it detects with probability 0.99). A sample of the claimed law fails
        with probability at most ``false_failure``. The samples travel through a .npy file."""
        req: dict[str, Any] = {"claim": "distribution", "data": dict(data), "false_failure": float(false_failure),
                               "seed": int(seed)}
        if (path is None) != (t is None):
            raise ValueError("give path and t together (the law p_t), or neither (the data distribution)")
        if path is not None:
            req["path"] = _path(path)
            req["t"] = float(t)
        return self._check_with_file(req, "samples", samples)

    def check_pointwise(self, data: Mapping, path: str | Mapping, quantity: str, t, x, values, rtol: float = 1e-6,
                        atol: float = 1e-9) -> dict:
        """Are ``values`` the exact ``quantity`` (score, denoiser, noise, velocity, v_prediction, log_density) of p_t at
        the points ``x`` ((n, d)) and time ``t`` (a number, or a list of times with values of shape (times, n, ...))?
        A value passes when |value - exact| <= atol + rtol |exact| in every coordinate; the answer names the worst."""
        pts, _ = _points(x)
        req: dict[str, Any] = {"claim": "pointwise", "data": dict(data), "path": _path(path), "quantity": quantity,
                               "points": pts, "rtol": float(rtol), "atol": float(atol)}
        if np.ndim(t) > 0:
            req["times"] = np.asarray(t, dtype=float).tolist()
        else:
            req["t"] = float(t)
        return self._check_with_file(req, "values", values)

    def check_convergence(self, data: Mapping, path: str | Mapping, t_start: float, t_end: float, starts,
                          runs: Mapping[int, Any], order: float, order_tolerance: float = 0.25) -> dict:
        """Does a deterministic sampler converge to the exact flow map with the claimed ``order``? ``starts`` ((n, d))
        are the common starting points at ``t_start``; ``runs`` maps each step count (at least three) to the (n, d) end
        points at ``t_end``. The answer has the errors, the local orders between consecutive step counts and the
        least-squares order; the verdict reads the finest pair's local order."""
        with tempfile.TemporaryDirectory(prefix="scorespec-") as folder:
            def saved(name, array):
                file = os.path.join(folder, f"{name}.npy")
                np.save(file, np.ascontiguousarray(np.asarray(array, dtype=np.float64)))
                return file
            req = {"claim": "convergence", "data": dict(data), "path": _path(path), "t_start": float(t_start),
                   "t_end": float(t_end), "starts": saved("starts", starts), "order": float(order),
                   "order_tolerance": float(order_tolerance),
                   "runs": [{"steps": int(k), "samples": saved(f"run{k}", v)} for k, v in sorted(runs.items())]}
            return self.request("check", req)

    def check_weak_convergence(self, data: Mapping, path: str | Mapping, t: float, runs: Mapping[int, Any],
                               order: float, order_tolerance: float = 0.25) -> dict:
        """Does a stochastic sampler converge in law with the claimed weak ``order``? ``runs`` maps each step count (at
        least three) to an independent (n, d) sample at time ``t``. The verdict is "inconclusive" when the sampling noise
        hides the finest errors (use more samples or fewer steps); see docs/cli.md, "check"."""
        with tempfile.TemporaryDirectory(prefix="scorespec-") as folder:
            listed = []
            for k, v in sorted(runs.items()):
                file = os.path.join(folder, f"run{k}.npy")
                np.save(file, np.ascontiguousarray(np.asarray(v, dtype=np.float64)))
                listed.append({"steps": int(k), "samples": file})
            return self.request("check", {"claim": "convergence", "kind": "weak", "data": dict(data), "path": _path(path),
                                          "t": float(t), "runs": listed, "order": float(order),
                                          "order_tolerance": float(order_tolerance)})

    def _check_with_file(self, req: dict, key: str, array) -> dict:
        """Sends a check whose large array travels as a .npy file in a temporary folder."""
        with tempfile.TemporaryDirectory(prefix="scorespec-") as folder:
            file = os.path.join(folder, f"{key}.npy")
            np.save(file, np.ascontiguousarray(np.asarray(array, dtype=np.float64)))
            req[key] = file
            return self.request("check", req)

    def samplers(self) -> list[dict]:
        """Every sampler with its options, claimed order and the path kinds it runs on."""
        return self.request("samplers")

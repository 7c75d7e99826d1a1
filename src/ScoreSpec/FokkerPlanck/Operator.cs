using ScoreSpec.Sampling;
using ScoreSpec.Processes;
using ScoreSpec.Densities;
using ScoreSpec.Paths;

namespace ScoreSpec.FokkerPlanck;

/// <summary>
/// A drift field with its divergence: f(t, x) and div f(t, x). Give the divergence in closed form where it is known;
/// <see cref="WithNumericalDivergence"/> supplies central differences otherwise.
/// </summary>
/// <param name="Value">f(t, x).</param>
/// <param name="Divergence">div_x f(t, x).</param>
public sealed record DriftField(Func<double, double[], double[]> Value, Func<double, double[], double> Divergence)
{
    /// <summary>
    /// A drift whose divergence is taken by central differences with step h_i = eps^(1/3) (1 + |x_i|), which balances the
    /// O(h^2) truncation against the O(eps/h) rounding.
    /// </summary>
    public static DriftField WithNumericalDivergence(Func<double, double[], double[]> drift)
    {
        if (drift is null) throw new ArgumentException("drift must not be null.", nameof(drift));
        return new DriftField(drift, (t, x) =>
        {
            double div = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double h = 6.0554544523933395e-06 * (1 + Math.Abs(x[i]));
                var up = (double[])x.Clone(); up[i] += h;
                var dn = (double[])x.Clone(); dn[i] -= h;
                div += (drift(t, up)[i] - drift(t, dn)[i]) / (2 * h);
            }
            return div;
        });
    }
}

/// <summary>
/// The Fokker-Planck operator of dX = f(t, X) dt + g(t) dW run in direction D of t (D = +1 forward, -1 backward):
/// d/dt p = -div(p f) + D (g^2/2) Laplacian p (shared/seeds/002, Chapter 5; shared/seeds/003, "Proof Sketch of Anderson's
/// Theorem", step 1). With g = 0 it is the continuity equation d/dt p = -div(p f). Everything is evaluated relative to p,
/// which keeps it finite far from the data:
/// (d/dt p)/p = -div f - f . grad log p + D (g^2/2) (Laplacian log p + |grad log p|^2),
/// using div(p f) = p (div f + f . grad log p) and Laplacian p = p (Laplacian log p + |grad log p|^2).
/// </summary>
public static class FokkerPlanckOperator
{
    /// <summary>
    /// (d/dt p)/p predicted by the Fokker-Planck equation at x, from the score s = grad log p, the Laplacian of log p
    /// (the trace of its Hessian), the drift value and divergence, g^2 and the direction.
    /// </summary>
    public static double RelativeRate(double[] score, double laplacianLogDensity, double[] drift, double divergence, double diffusionSquared, int direction = 1)
    {
        Guard.NotNull(score, nameof(score));
        Guard.FiniteVector(drift, score.Length, nameof(drift));
        Guard.NonNegative(diffusionSquared, nameof(diffusionSquared));
        if (direction is not (1 or -1)) throw new ArgumentException($"direction must be +1 or -1, got {direction}.", nameof(direction));
        double fs = 0, ss = 0;
        for (int i = 0; i < score.Length; i++) { fs += drift[i] * score[i]; ss += score[i] * score[i]; }
        return -divergence - fs + direction * diffusionSquared / 2 * (laplacianLogDensity + ss);
    }

    /// <summary>The magnitude of the terms of <see cref="RelativeRate(double[], double, double[], double, double, int)"/>, a scale for its rounding error.</summary>
    public static double RelativeRateScale(double[] score, double laplacianLogDensity, double[] drift, double divergence, double diffusionSquared)
    {
        double fs = 0, ss = 0;
        for (int i = 0; i < score.Length; i++) { fs += Math.Abs(drift[i] * score[i]); ss += score[i] * score[i]; }
        return Math.Abs(divergence) + fs + diffusionSquared / 2 * (Math.Abs(laplacianLogDensity) + ss);
    }

    /// <summary>
    /// The Fokker-Planck right-hand side -div(p f) + D (g^2/2) Laplacian p at x for a Gaussian-mixture density, with its
    /// exact score and Hessian: p(x) times <see cref="RelativeRate(double[], double, double[], double, double, int)"/>.
    /// </summary>
    public static double RightHandSide(GaussianMixture density, DriftField drift, double diffusionSquared, double t, double[] x, int direction = 1)
    {
        if (density is null) throw new ArgumentException("density must not be null.", nameof(density));
        if (drift is null) throw new ArgumentException("drift must not be null.", nameof(drift));
        var s = density.Score(x);
        double lap = Trace(density.Hessian(x));
        return Math.Exp(density.LogDensity(x)) * RelativeRate(s, lap, drift.Value(t, x), drift.Divergence(t, x), diffusionSquared, direction);
    }

    /// <summary>
    /// (d/dt p)/p predicted by the Fokker-Planck equation for a density known only through its log density: the score
    /// and the Laplacian of log p are taken by five-point finite differences (MathNet) with step <paramref name="step"/>
    /// (choose it well below the density's length scale; the catalog uses 1e-3 of the smallest standard deviation).
    /// </summary>
    public static double RelativeRate(Func<double[], double> logDensity, DriftField drift, double diffusionSquared, double t, double[] x, double step, int direction = 1)
    {
        if (logDensity is null) throw new ArgumentException("logDensity must not be null.", nameof(logDensity));
        if (drift is null) throw new ArgumentException("drift must not be null.", nameof(drift));
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        Guard.Positive(step, nameof(step));
        var score = Numerics.FiniteDifference.Gradient(logDensity, x!, step).Select(e => e.Value).ToArray();
        double lap = 0;
        for (int i = 0; i < x!.Length; i++)
        {
            int idx = i;
            lap += Numerics.FiniteDifference.SecondDerivative(v => { var y = (double[])x.Clone(); y[idx] = v; return logDensity(y); }, x[i], 10 * step).Value;
        }
        return RelativeRate(score, lap, drift.Value(t, x), drift.Divergence(t, x), diffusionSquared, direction);
    }

    /// <summary>
    /// The Fokker-Planck residual of a time-dependent density p_t given by its log density: d/dt log p_t(x) (five-point
    /// differences in t with step <paramref name="timeStep"/>) minus the predicted (d/dt p)/p. Zero exactly when p_t
    /// solves the equation of the given drift, diffusion and direction.
    /// </summary>
    public static double Residual(Func<double, double[], double> logDensityAt, DriftField drift, Func<double, double> diffusionSquared, double t, double[] x, double step, double timeStep, int direction = 1)
    {
        if (logDensityAt is null) throw new ArgumentException("logDensityAt must not be null.", nameof(logDensityAt));
        if (diffusionSquared is null) throw new ArgumentException("diffusionSquared must not be null.", nameof(diffusionSquared));
        Guard.Positive(timeStep, nameof(timeStep));
        double dlogp = Numerics.FiniteDifference.Derivative(u => logDensityAt(u, x), t, timeStep).Value;
        return dlogp - RelativeRate(y => logDensityAt(t, y), drift, diffusionSquared(t), t, x, step, direction);
    }

    /// <summary>The trace of a square matrix.</summary>
    public static double Trace(double[,] m)
    {
        double tr = 0;
        for (int i = 0; i < m.GetLength(0); i++) tr += m[i, i];
        return tr;
    }

    /// <summary>The forward SDE of a path (<see cref="Sde.Forward"/>) as a <see cref="DriftField"/> in the path's time: f = F(t) x, div f = d F(t).</summary>
    public static DriftField ForwardDrift(GaussianPath path)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        var sde = Sde.Forward(path);
        return new DriftField(sde.DriftAt, (t, x) => x.Length * sde.AffineInScore(t)!.Value.F);
    }

    /// <summary>
    /// The drift of the SDE extension trick for mixture data along a path (<see cref="Sde.Extension"/> with the exact
    /// score), in the path's time, with its exact divergence: v = F x - c s with c = D (g^2 + sigma^2)/2, and
    /// div v = d F - c Laplacian log p_t (shared/seeds/002, Chapter 4). The SDE runs in the denoising direction -D with
    /// diffusion sigma(t).
    /// </summary>
    public static DriftField ExtensionDrift(GaussianMixture data, GaussianPath path, Func<double, double> sigma)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (sigma is null) throw new ArgumentException("sigma must not be null.", nameof(sigma));
        var field = new MarginalField(data, path);
        var sde = Sde.Forward(path).Extension(Samplers.ExactScore(field), sigma);
        return new DriftField(sde.DriftAt, (t, x) =>
        {
            var (F, c) = sde.AffineInScore(t)!.Value;
            return x.Length * F - c * field.LaplacianLogDensity(t, x);
        });
    }

    /// <summary>
    /// Langevin dynamics for a target p with diffusion g (<see cref="Sde.Langevin"/>): drift (g^2/2) grad log p and
    /// divergence (g^2/2) Laplacian log p (shared/seeds/002, Chapter 6). Its Fokker-Planck right-hand side vanishes at p.
    /// </summary>
    public static DriftField LangevinDrift(GaussianMixture target, double diffusionSquared)
    {
        if (target is null) throw new ArgumentException("target must not be null.", nameof(target));
        Guard.NonNegative(diffusionSquared, nameof(diffusionSquared));
        var sde = new Sde.Langevin((t, x, s) => target.Score(x.ToArray()).CopyTo(s), Math.Sqrt(diffusionSquared));
        return new DriftField(sde.DriftAt, (t, x) => diffusionSquared / 2 * Trace(target.Hessian(x)));
    }
}

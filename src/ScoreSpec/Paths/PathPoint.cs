namespace ScoreSpec.Paths;

/// <summary>The five ways a network can parameterize the same information about x_t = alpha_t z + sigma_t e.</summary>
public enum Quantity
{
    /// <summary>The score grad_x log p_t(x) (conditional: -e/sigma_t).</summary>
    Score,
    /// <summary>The noise prediction E[e | x_t = x] (conditional: e).</summary>
    Noise,
    /// <summary>The denoiser (x0-prediction) E[z | x_t = x] (conditional: z).</summary>
    Denoiser,
    /// <summary>The velocity dx/dt in the path's own time (conditional: alphadot_t z + sigmadot_t e).</summary>
    Velocity,
    /// <summary>The v-prediction v = alpha_t e - sigma_t z (Salimans and Ho 2022), for any path.</summary>
    VPrediction,
}

/// <summary>
/// The scalar coefficients of a Gaussian path at one time t, and the linear conversions among score, noise,
/// denoiser, velocity and v-prediction that they define (shared/seeds/002, Holderrieth and Erives Chapters 2, 3 and 8;
/// shared/seeds/003, "Complete Derivation: Score-Noise Relationship" and "Tweedie's Formula").
/// Every conversion is exact for conditional quantities (given z) and, being linear in the predicted quantity,
/// also for marginal ones (posterior means given x).
/// </summary>
public sealed record PathPoint
{
    /// <summary>Evaluates every coefficient of <paramref name="path"/> at <paramref name="t"/> in (0, 1).</summary>
    public PathPoint(GaussianPath path, double t)
    {
        Path = path ?? throw new ArgumentException("path must not be null.", nameof(path));
        T = Guard.OpenUnit(t, nameof(t));
        Alpha = path.Alpha(t);
        Sigma = path.Sigma(t);
        AlphaDot = path.AlphaDot(t);
        SigmaDot = path.SigmaDot(t);
        A = path.A(t);
        B = path.LogAlphaDot(t);
    }

    /// <summary>The path.</summary>
    public GaussianPath Path { get; }
    /// <summary>The time, strictly inside (0, 1).</summary>
    public double T { get; }
    /// <summary>alpha_t.</summary>
    public double Alpha { get; }
    /// <summary>sigma_t (beta_t in shared/seeds/002).</summary>
    public double Sigma { get; }
    /// <summary>d alpha_t / dt.</summary>
    public double AlphaDot { get; }
    /// <summary>d sigma_t / dt.</summary>
    public double SigmaDot { get; }
    /// <summary>Proposition 1: a_t = sigma_t^2 alphadot_t/alpha_t - sigmadot_t sigma_t.</summary>
    public double A { get; }
    /// <summary>Proposition 1: b_t = alphadot_t / alpha_t.</summary>
    public double B { get; }

    /// <summary>x = alpha_t z + sigma_t e, the point of the path reached from data z with noise e.</summary>
    public double[] Mix(double[] z, double[] e)
    {
        Guard.FiniteVector(z, z?.Length ?? 0, nameof(z));
        Guard.FiniteVector(e, z!.Length, nameof(e));
        var x = new double[z.Length];
        for (int i = 0; i < x.Length; i++) x[i] = Alpha * z[i] + Sigma * e[i];
        return x;
    }

    /// <summary>
    /// The factor c^2 by which an error in the clean-data prediction shows up in a prediction of
    /// <paramref name="quantity"/> made from the same x: each target is affine in (z, e), y = a z + b e, and at fixed
    /// x = alpha_t z + sigma_t e it is y = (a - b alpha_t / sigma_t) z + (b / sigma_t) x, so |y - y^|^2 = c^2 |z - z^|^2 with
    /// c = a - b alpha_t / sigma_t: 1 for the denoiser, alpha_t^2 / sigma_t^2 (the SNR) for the noise, alpha_t^2 / sigma_t^4
    /// for the score, (alphadot_t - sigmadot_t alpha_t / sigma_t)^2 for the velocity and (alpha_t^2 + sigma_t^2)^2 / sigma_t^2
    /// for the v-prediction (SNR + 1 on variance-preserving paths). Loss weightings are stated on the clean-data error
    /// (Hang et al. 2023, Min-SNR; shared/seeds/002 Ch. 8 names v-prediction and min-SNR weighting), and divided by this
    /// factor to weight a loss in another parameterisation.
    /// </summary>
    /// <param name="quantity">The parameterisation of the prediction.</param>
    public double CleanErrorFactor(Quantity quantity)
    {
        double c = quantity switch
        {
            Quantity.Denoiser => 1,
            Quantity.Noise => -Alpha / Sigma,
            Quantity.Score => Alpha / (Sigma * Sigma),
            Quantity.Velocity => AlphaDot - SigmaDot * Alpha / Sigma,
            Quantity.VPrediction => -(Alpha * Alpha + Sigma * Sigma) / Sigma,
            _ => throw new ArgumentException($"quantity {quantity} is not known.", nameof(quantity)),
        };
        return c * c;
    }

    /// <summary>
    /// The conditional value of <paramref name="quantity"/> given data z and noise e (the training target):
    /// score -e/sigma_t, noise e, denoiser z, velocity alphadot_t z + sigmadot_t e, v-prediction alpha_t e - sigma_t z.
    /// </summary>
    public double[] ConditionalTarget(Quantity quantity, double[] z, double[] e)
    {
        Guard.FiniteVector(z, z?.Length ?? 0, nameof(z));
        Guard.FiniteVector(e, z!.Length, nameof(e));
        var r = new double[z.Length];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = quantity switch
            {
                Quantity.Score => -e[i] / Sigma,
                Quantity.Noise => e[i],
                Quantity.Denoiser => z[i],
                Quantity.Velocity => AlphaDot * z[i] + SigmaDot * e[i],
                Quantity.VPrediction => Alpha * e[i] - Sigma * z[i],
                _ => throw new ArgumentException($"quantity {quantity} is not known.", nameof(quantity)),
            };
        }
        return r;
    }

    /// <summary>
    /// Converts <paramref name="value"/>, a prediction of <paramref name="from"/> at x, into the equivalent prediction of
    /// <paramref name="to"/>. Every quantity is first turned into the noise prediction e^ and the matching denoiser
    /// z^ = (x - sigma_t e^)/alpha_t, which satisfy x = alpha_t z^ + sigma_t e^, and then read off:
    /// score = -e^/sigma_t; velocity = alphadot_t z^ + sigmadot_t e^ = a_t score + b_t x (Proposition 1);
    /// v = alpha_t e^ - sigma_t z^. From a velocity, score = (u - b_t x)/a_t; from v, solving the 2x2 system
    /// gives e^ = (sigma_t x + alpha_t v)/(alpha_t^2 + sigma_t^2).
    /// </summary>
    public double[] Convert(Quantity from, Quantity to, double[] x, double[] value)
    {
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        Guard.FiniteVector(value, x!.Length, nameof(value));
        var r = new double[x.Length];
        double norm = Alpha * Alpha + Sigma * Sigma;
        for (int i = 0; i < r.Length; i++)
        {
            double e = from switch
            {
                Quantity.Noise => value[i],
                Quantity.Score => -Sigma * value[i],
                Quantity.Denoiser => (x[i] - Alpha * value[i]) / Sigma,
                Quantity.Velocity => -Sigma * (value[i] - B * x[i]) / A,
                Quantity.VPrediction => (Sigma * x[i] + Alpha * value[i]) / norm,
                _ => throw new ArgumentException($"from {from} is not known.", nameof(from)),
            };
            double z = from == Quantity.Denoiser ? value[i]
                     : from == Quantity.VPrediction ? (Alpha * x[i] - Sigma * value[i]) / norm
                     : (x[i] - Sigma * e) / Alpha;
            r[i] = to switch
            {
                Quantity.Noise => e,
                Quantity.Score => -e / Sigma,
                Quantity.Denoiser => z,
                Quantity.Velocity => AlphaDot * z + SigmaDot * e,
                Quantity.VPrediction => Alpha * e - Sigma * z,
                _ => throw new ArgumentException($"to {to} is not known.", nameof(to)),
            };
        }
        return r;
    }

    /// <summary>Score from a noise prediction: s = -e / sigma_t (shared/seeds/003, "Score-noise relation").</summary>
    public double[] ScoreFromNoise(double[] x, double[] noise) => Convert(Quantity.Noise, Quantity.Score, x, noise);

    /// <summary>Noise prediction from a score: e = -sigma_t s.</summary>
    public double[] NoiseFromScore(double[] x, double[] score) => Convert(Quantity.Score, Quantity.Noise, x, score);

    /// <summary>Tweedie's formula: E[z | x] = (x + sigma_t^2 score)/alpha_t (shared/seeds/003, "Tweedie's Formula").</summary>
    public double[] DenoiserFromScore(double[] x, double[] score) => Convert(Quantity.Score, Quantity.Denoiser, x, score);

    /// <summary>Denoiser from a noise prediction: z = (x - sigma_t e)/alpha_t (shared/seeds/002, Chapter 8).</summary>
    public double[] DenoiserFromNoise(double[] x, double[] noise) => Convert(Quantity.Noise, Quantity.Denoiser, x, noise);

    /// <summary>Proposition 1: u = a_t s + b_t x (shared/seeds/002, Chapter 3).</summary>
    public double[] VelocityFromScore(double[] x, double[] score) => Convert(Quantity.Score, Quantity.Velocity, x, score);

    /// <summary>Proposition 1 inverted: s = (u - b_t x)/a_t (shared/seeds/002, Chapter 4, step 2 of the SDE example).</summary>
    public double[] ScoreFromVelocity(double[] x, double[] velocity) => Convert(Quantity.Velocity, Quantity.Score, x, velocity);
}

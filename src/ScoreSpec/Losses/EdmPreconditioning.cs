namespace ScoreSpec.Losses;

/// <summary>
/// EDM's preconditioning of a denoiser network (Karras et al. 2022, section 5 and Table 1): with sigma the noise level of
/// the scaled state x = y + sigma n (on any Gaussian path, x / alpha_t and sigma_t / alpha_t), the denoiser is
/// D(x; sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x; c_noise(sigma)) with
/// c_skip = sigma_data^2 / (sigma^2 + sigma_data^2), c_out = sigma sigma_data / sqrt(sigma^2 + sigma_data^2),
/// c_in = 1 / sqrt(sigma^2 + sigma_data^2), c_noise = ln(sigma) / 4, and the loss weight lambda = 1 / c_out^2. The choices
/// make the network's input and its training target F_target = (y - c_skip x) / c_out of unit variance when the data
/// have variance sigma_data^2, and c_skip is the one that minimises the target's variance. For data N(0, sigma_data^2)
/// the exact denoiser is c_skip x itself, so the ideal network output is 0. shared/seeds/004 names EDM among the samplers
/// the score-SDE view underlies; the catalog's edm.preconditioning checks these claims.
/// </summary>
/// <param name="SigmaData">The data's standard deviation sigma_data (EDM uses 0.5 for images in [-1, 1]).</param>
public sealed record EdmPreconditioning(double SigmaData = 0.5)
{
    private double Data2 => Guard.Positive(SigmaData, "sigmaData") * SigmaData;

    /// <summary>c_skip = sigma_data^2 / (sigma^2 + sigma_data^2).</summary>
    /// <param name="sigma">The noise level, positive.</param>
    public double CSkip(double sigma) => Data2 / (Sq(sigma) + Data2);

    /// <summary>c_out = sigma sigma_data / sqrt(sigma^2 + sigma_data^2).</summary>
    /// <param name="sigma">The noise level, positive.</param>
    public double COut(double sigma) => sigma * SigmaData / Math.Sqrt(Sq(sigma) + Data2);

    /// <summary>c_in = 1 / sqrt(sigma^2 + sigma_data^2).</summary>
    /// <param name="sigma">The noise level, positive.</param>
    public double CIn(double sigma) => 1 / Math.Sqrt(Sq(sigma) + Data2);

    /// <summary>c_noise = ln(sigma) / 4.</summary>
    /// <param name="sigma">The noise level, positive.</param>
    public double CNoise(double sigma) => Math.Log(Guard.Positive(sigma, nameof(sigma))) / 4;

    /// <summary>The loss weight lambda(sigma) = 1 / c_out^2 = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2.</summary>
    /// <param name="sigma">The noise level, positive.</param>
    public double LossWeight(double sigma) => (Sq(sigma) + Data2) / (Sq(sigma) * Data2);

    /// <summary>D(x; sigma) = c_skip x + c_out F(c_in x; c_noise) for a network F given as (input, c_noise) -> output.</summary>
    /// <param name="network">F: the preconditioned input and c_noise to the raw output, of the input's length.</param>
    /// <param name="x">The noisy scaled state.</param>
    /// <param name="sigma">Its noise level, positive.</param>
    public double[] Denoiser(Func<double[], double, double[]> network, double[] x, double sigma)
    {
        Guard.NotNull(x, nameof(x));
        if (network is null) throw new ArgumentException("network must not be null.", nameof(network));
        double cIn = CIn(sigma), cSkip = CSkip(sigma), cOut = COut(sigma);
        var f = network(x.Select(v => cIn * v).ToArray(), CNoise(sigma));
        if (f is null || f.Length != x.Length) throw new ArgumentException($"network must return {x.Length} values.", nameof(network));
        return x.Select((v, i) => cSkip * v + cOut * f[i]).ToArray();
    }

    /// <summary>The network's training target F_target = (y - c_skip x) / c_out for clean data y and x = y + sigma n.</summary>
    /// <param name="y">The clean data point.</param>
    /// <param name="x">The noisy point.</param>
    /// <param name="sigma">The noise level, positive.</param>
    public double[] Target(double[] y, double[] x, double sigma)
    {
        Guard.NotNull(y, nameof(y));
        Guard.FiniteVector(x, y.Length, nameof(x));
        double cSkip = CSkip(sigma), cOut = COut(sigma);
        return y.Select((v, i) => (v - cSkip * x[i]) / cOut).ToArray();
    }

    private static double Sq(double sigma) => Guard.Positive(sigma, nameof(sigma)) * sigma;
}

using MathNet.Numerics.Integration;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// k-diffusion's linear multistep sampler (sample_lms): the Adams-Bashforth idea on d xh / d sigmah = eps with
    /// unequal steps, xh_{k+1} = xh_k + sum_j c_{kj} eps_{k-j}, where c_{kj} is the integral over [sigmah_k, sigmah_{k+1}]
    /// of the Lagrange basis polynomial of node sigmah_{k-j} on the last m = min(k + 1, Order) nodes (Gauss-Legendre
    /// with 4 points, exact for these degrees). One score evaluation a step; order Order once the history is full.
    /// </summary>
    /// <param name="Order">The number of past slopes, 1 to 4.</param>
    public sealed record Lms(int Order = 4) : Sampler
    {
        internal override long Run(SamplerRun run)
        {
            if (Order is < 1 or > 4) throw new ArgumentException($"order must be 1 to 4, got {Order}.", "order");
            var s = new ScaledRun(run);
            var coefficients = new double[s.Steps][];
            for (int k = 0; k < s.Steps; k++)
            {
                int m = Math.Min(k + 1, Order), step = k;
                coefficients[k] = Enumerable.Range(0, m).Select(j => GaussLegendreRule.Integrate(tau =>
                {
                    double l = 1;
                    for (int i = 0; i < m; i++)
                        if (i != j) l *= (tau - s.SigmaHat[step - i]) / (s.SigmaHat[step - j] - s.SigmaHat[step - i]);
                    return l;
                }, s.SigmaHat[k], s.SigmaHat[k + 1], 4)).ToArray();
            }
            int past = Order - 1;
            return s.Each(2, Math.Max(past, 1), (k, xh, work, history, _) =>
            {
                int d = s.D;
                var e = work[..d];
                s.EpsAt(k, xh, e, work.Slice(d, d));
                var c = coefficients[k];
                for (int j = 0; j < d; j++)
                {
                    double sum = c[0] * e[j];
                    for (int q = 1; q < c.Length; q++) sum += c[q] * history[(q - 1) * d + j];
                    xh[j] += sum;
                }
                // Shift the history: slot q holds eps_{k-q} for the next step's q + 1.
                for (int q = past - 1; q > 0; q--) history.Slice((q - 1) * d, d).CopyTo(history.Slice(q * d, d));
                if (past > 0) e.CopyTo(history[..d]);
                return 1;
            });
        }
    }
}

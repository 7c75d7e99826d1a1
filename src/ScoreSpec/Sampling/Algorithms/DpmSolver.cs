using ScoreSpec.Numerics;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// The singlestep DPM-Solver of Lu et al. 2022 (Algorithms 1 and 2, noise prediction), of order 1, 2 or 3, on any
    /// Gaussian path. With lambda = log(alpha / sigma), h = lambda_{k+1} - lambda_k and eps_0 = eps(x_k, t_k), written in
    /// xh = x / alpha and sigmah = sigma / alpha:
    /// order 1: xh' = xh - sigmah' expm1(h) eps_0 (DDIM);
    /// order 2 (r1 = 1/2): u = xh - sigmah_s expm1(r1 h) eps_0 at lambda_s = lambda_k + r1 h, then
    /// xh' = xh - sigmah' expm1(h) eps_0 - sigmah' / (2 r1) expm1(h) (eps(u, s) - eps_0);
    /// order 3 (r1 = 1/3, r2 = 2/3): u1 = xh - sigmah_1 expm1(r1 h) eps_0, D1 = eps(u1, s1) - eps_0,
    /// u2 = xh - sigmah_2 expm1(r2 h) eps_0 - sigmah_2 (r2 / r1) phi(r2 h) D1, D2 = eps(u2, s2) - eps_0,
    /// xh' = xh - sigmah' expm1(h) eps_0 - (sigmah' / r2) phi(h) D2, with phi(h) = expm1(h) / h - 1.
    /// Order evaluations a step. The stages' times come from the path's inverse log-SNR.
    /// </summary>
    /// <param name="Order">1, 2 or 3.</param>
    public sealed record DpmSolver(int Order = 2) : Sampler
    {
        /// <summary>phi(h) = expm1(h) / h - 1 = h/2 + h^2/6 + ..., by its series where the quotient would cancel.</summary>
        internal static double Phi(double h) => h * Accurate.Phi(2, h); // expm1(h) / h - 1 without its cancellation

        internal override long Run(SamplerRun run)
        {
            if (Order is < 1 or > 3) throw new ArgumentException($"order must be 1, 2 or 3, got {Order}.", "order");
            var s = new ScaledRun(run);
            double r1 = Order == 2 ? 0.5 : 1.0 / 3, r2 = 2.0 / 3;
            var stage1 = Order >= 2 ? Enumerable.Range(0, s.Steps).Select(k => s.AtLambda(s.Lambda[k] + r1 * (s.Lambda[k + 1] - s.Lambda[k]), "steps")).ToArray() : [];
            var stage2 = Order == 3 ? Enumerable.Range(0, s.Steps).Select(k => s.AtLambda(s.Lambda[k] + r2 * (s.Lambda[k + 1] - s.Lambda[k]), "steps")).ToArray() : [];
            return s.Each(5, 0, (k, xh, work, _, _) =>
            {
                int d = s.D;
                var e0 = work[..d];
                var u = work.Slice(d, d);
                var d1 = work.Slice(2 * d, d);
                var d2 = work.Slice(3 * d, d);
                var buffer = work.Slice(4 * d, d);
                double h = s.Lambda[k + 1] - s.Lambda[k], next = s.SigmaHat[k + 1], em = Accurate.ExpM1(h);
                s.EpsAt(k, xh, e0, buffer);
                if (Order == 1)
                {
                    for (int j = 0; j < d; j++) xh[j] -= next * em * e0[j];
                    return 1;
                }
                var (t1, a1, g1) = stage1[k];
                double sh1 = g1 / a1;
                for (int j = 0; j < d; j++) u[j] = xh[j] - sh1 * Accurate.ExpM1(r1 * h) * e0[j];
                s.Eps(t1, a1, g1, u, d1, buffer);
                for (int j = 0; j < d; j++) d1[j] -= e0[j];
                if (Order == 2)
                {
                    for (int j = 0; j < d; j++) xh[j] -= next * em * e0[j] + next / (2 * r1) * em * d1[j];
                    return 2;
                }
                var (t2, a2, g2) = stage2[k];
                double sh2 = g2 / a2;
                for (int j = 0; j < d; j++) u[j] = xh[j] - sh2 * Accurate.ExpM1(r2 * h) * e0[j] - sh2 * (r2 / r1) * Phi(r2 * h) * d1[j];
                s.Eps(t2, a2, g2, u, d2, buffer);
                for (int j = 0; j < d; j++) xh[j] -= next * em * e0[j] + next / r2 * Phi(h) * (d2[j] - e0[j]);
                return 3;
            });
        }
    }
}

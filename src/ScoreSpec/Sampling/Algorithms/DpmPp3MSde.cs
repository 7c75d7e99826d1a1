using ScoreSpec.Numerics;
using ScoreSpec.Solvers;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// k-diffusion's third-order multistep SDE solver (sample_dpmpp_3m_sde) in the scaled coordinates xh = x / alpha,
    /// sigmah = sigma / alpha, lambda = -log sigmah, with the data prediction D = xh - sigmah eps, h = lambda' - lambda and
    /// h_eta = (1 + Eta) h: xh' = e^{-h_eta} (sigmah' / sigmah) / e^{-h} xh - expm1(-h_eta) D (that is
    /// (sigmah' / sigmah) e^{-Eta h} xh + (1 - e^{-h_eta}) D), plus, with phi2 = expm1(-h_eta) / h_eta + 1 and
    /// phi3 = phi2 / h_eta - 1/2, the divided differences of the last three data predictions (phi2 d1 - phi3 d2; with two,
    /// phi2 d), plus the noise sigmah' sqrt(1 - e^{-2 Eta h}) SNoise xi, xi the normalised increment of the path's
    /// <see cref="BrownianTree"/> on [0, sigmah_0]. One score evaluation a step; Eta = 0 is a deterministic third-order
    /// multistep method.
    /// </summary>
    /// <remarks>
    /// Measured (tests/Properties/SamplerOrders.cs): with Eta = 0 this update, as k-diffusion writes it, is second order,
    /// not third. With d2 = (d1_0 - d1_1) / (r0 + r1) = h^2 D'' / 2 + O(h^3), the exact integral of the quadratic term,
    /// integral_0^h e^{-(h-u)} u^2 / 2 du D'' = (h^2 - 2h + 2 - 2e^{-h}) / 2 D'', equals -2 phi3 d2, and the code adds -phi3 d2:
    /// the missing half is O(h^3) per step. <see cref="ExactSecondOrderTerm"/> adds -2 phi3 d2 and measures order 3
    /// (2.8 to 3.05, the rest being the first-order first step; the same map as UniP-3 with bh2, to the digits measured).
    /// </remarks>
    /// <param name="Eta">The stochasticity, non-negative.</param>
    /// <param name="SNoise">Scale of the noise.</param>
    /// <param name="ExactSecondOrderTerm">False (the default): k-diffusion's update; true: the quadratic term integrated exactly.</param>
    public sealed record DpmPp3MSde(double Eta = 1, double SNoise = 1, bool ExactSecondOrderTerm = false) : Sampler
    {
        internal override NoiseDescription? Noise(Paths.GaussianPath path, double[] times) => new(0, ScaledRun.Levels(path, times));

        internal override long Run(SamplerRun run)
        {
            Guard.NonNegative(Eta, "eta");
            Guard.NonNegative(SNoise, "s_noise");
            var s = new ScaledRun(run);
            // k-diffusion (and DPM-Solver's multistep third-order update) weight the second divided difference by phi3;
            // integrating the quadratic interpolant exactly gives twice that (see the remarks).
            double secondOrderFactor = ExactSecondOrderTerm ? 2 : 1;
            return s.Each(4, 3, (k, xh, work, history, stream) =>
            {
                int d = s.D;
                var e = work[..d];
                var data = work.Slice(d, d);
                var w = work.Slice(2 * d, d);
                var w2 = work.Slice(3 * d, d);
                var d1Hist = history[..d];         // D_{k-1}
                var d2Hist = history.Slice(d, d);  // D_{k-2}
                s.EpsAt(k, xh, e, w);
                for (int j = 0; j < d; j++) data[j] = xh[j] - s.SigmaHat[k] * e[j];
                double h = s.Lambda[k + 1] - s.Lambda[k], hEta = (1 + Eta) * h;
                double ratio = s.SigmaHat[k + 1] / s.SigmaHat[k] * Math.Exp(-Eta * h), c = -Accurate.ExpM1(-hEta);
                // k-diffusion's phi2 = expm1(-h_eta) / h_eta + 1 and phi3 = phi2 / h_eta - 1/2, which are h_eta phi_2(-h_eta) and
                // -h_eta phi_3(-h_eta) in the phi functions, taken from there without the recursion's cancellation.
                double phi2 = hEta * Accurate.Phi(2, -hEta), phi3 = -hEta * Accurate.Phi(3, -hEta);
                double h1 = k >= 1 ? s.Lambda[k] - s.Lambda[k - 1] : 0, h2 = k >= 2 ? s.Lambda[k - 1] - s.Lambda[k - 2] : 0;
                double noise = Eta > 0 ? s.SigmaHat[k + 1] * Math.Sqrt(-Accurate.ExpM1(-2 * Eta * h)) * SNoise : 0;
                if (noise > 0) s.TreeStep(k, stream, history.Slice(2 * d, d), w, w2); // W at sigmah_k lives in the history
                for (int j = 0; j < d; j++)
                {
                    double next = ratio * xh[j] + c * data[j];
                    if (k >= 2)
                    {
                        double r0 = h1 / h, r1 = h2 / h;
                        double d10 = (data[j] - d1Hist[j]) / r0, d11 = (d1Hist[j] - d2Hist[j]) / r1;
                        double dd1 = d10 + (d10 - d11) * r0 / (r0 + r1), dd2 = (d10 - d11) / (r0 + r1);
                        next += phi2 * dd1 - secondOrderFactor * phi3 * dd2;
                    }
                    else if (k == 1)
                        next += phi2 * (data[j] - d1Hist[j]) / (h1 / h);
                    if (noise > 0) next += noise * w2[j];
                    d2Hist[j] = d1Hist[j];
                    d1Hist[j] = data[j];
                    xh[j] = next;
                }
                return 1;
            });
        }
    }
}

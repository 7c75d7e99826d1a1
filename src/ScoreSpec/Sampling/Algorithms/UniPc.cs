using MathNet.Numerics.LinearAlgebra;
using ScoreSpec.Numerics;

namespace ScoreSpec.Sampling;

/// <summary>The two choices of B(h) in UniPC (Zhao et al. 2023, section 3.2; diffusers' solver_type).</summary>
public enum UniPcVariant
{
    /// <summary>B(h) = -h (in the data prediction), "bh1", which the authors recommend for unconditional sampling.</summary>
    Bh1,
    /// <summary>B(h) = expm1(-h), "bh2", diffusers' default.</summary>
    Bh2,
}

public abstract partial record Sampler
{
    /// <summary>
    /// UniPC (Zhao et al. 2023, Algorithms 1-3; diffusers' UniPCMultistepScheduler with predict_x0), multistep in the data
    /// prediction D = xh - sigmah eps of the scaled coordinates. With h = lambda_{k+1} - lambda_k and m_k = D at grid
    /// point k, the predictor UniP-p is
    /// xh_{k+1} = (sigmah_{k+1} / sigmah_k) xh_k + (1 - e^{-h}) m_k - B(h) sum_{i=1}^{p-1} a_i (m_{k-i} - m_k) / r_i,
    /// with r_i = (lambda_{k-i} - lambda_k) / h, and the corrector UniC-p, applied when the score at the predicted point has
    /// been evaluated (the same evaluation the next step uses, so it costs nothing), replaces it by the same formula
    /// with coefficients c_i over m_{k-1}, ..., m_{k-p+1} and the new value m_{k+1} at r = 1. The coefficients solve
    /// R a = g over the first p - 1 points (a_1 = 1/2 at p = 2) and R c = g over all p (c_1 = 1/2 at p = 1), where
    /// R_{ij} = r_j^{i-1} and g_i = i! (-h) phi_{i+1}(-h) / B(h), phi_k the phi functions (<see cref="Accurate.Phi"/>,
    /// evaluated without the cancellation the recursion in diffusers has for small h). The order rises one step at a time
    /// from 1 while the history fills; with <paramref name="LowerOrderFinal"/> the order of step k is at most N - k, so
    /// the last step is first order, as diffusers does it. The last step is never corrected. One score evaluation a step.
    /// </summary>
    /// <remarks>
    /// Orders (tests/Properties/SamplerOrders.cs, flow-map error fitted over 64..1024 log-SNR steps on vp, ve and condot):
    /// without LowerOrderFinal, UniPC-p measures p + 1 (2.00, 3.00-3.02, 3.94-4.01 for p = 1, 2, 3; the warm-up
    /// steps' lower order costs nothing measurable, the flow being nearly linear at the noise end) and UniP-p alone p
    /// (2.01, 2.82-3.05). With LowerOrderFinal (diffusers' default) the first-order last step has local error O(h^2), so
    /// the asymptotic order is 2 for every p; over 64..1024 steps the corrected steps' h^3 term can still dominate
    /// (fitted 1.94 on vp, 3.09 on ve and condot), and at 1024 steps on vp the default is 10.7 times further from the
    /// flow map than the same sampler without the cap. DPM-Solver++'s lower_order_final applies only below 15 steps.
    /// </remarks>
    /// <param name="SolverOrder">p, 1 to 3 (diffusers' solver_order; 2 is its default).</param>
    /// <param name="Variant">B(h): bh1 or bh2.</param>
    /// <param name="LowerOrderFinal">Cap the order of step k at N - k.</param>
    /// <param name="Corrector">Apply UniC after each predictor step but the last (false: UniP alone).</param>
    public sealed record UniPc(int SolverOrder = 2, UniPcVariant Variant = UniPcVariant.Bh2, bool LowerOrderFinal = true, bool Corrector = true) : Sampler
    {
        /// <summary>The order, B(h), the predictor's and the corrector's coefficients of one grid step, from the grid alone.</summary>
        private sealed record StepPlan(int Order, double Ratio, double C, double B, double[] R, double[] Predictor, double[] Corrector);

        private StepPlan[] Plan(ScaledRun s)
        {
            var plans = new StepPlan[s.Steps];
            for (int k = 0; k < s.Steps; k++)
            {
                int p = Math.Min(SolverOrder, k + 1);
                if (LowerOrderFinal) p = Math.Min(p, s.Steps - k);
                double h = s.Lambda[k + 1] - s.Lambda[k], hh = -h;
                double b = Variant == UniPcVariant.Bh1 ? hh : Accurate.ExpM1(hh);
                var r = new double[p];
                for (int i = 1; i < p; i++) r[i - 1] = (s.Lambda[k - i] - s.Lambda[k]) / h;
                r[p - 1] = 1;
                var g = new double[p];
                double factorial = 1;
                for (int i = 1; i <= p; i++)
                {
                    factorial *= i;
                    g[i - 1] = factorial * hh * Accurate.Phi(i + 1, hh) / b;
                }
                double[] Solve(int m) => Matrix<double>.Build.Dense(m, m, (i, j) => Math.Pow(r[j], i)).Solve(Vector<double>.Build.Dense(g[..m])).ToArray();
                var predictor = p switch { 1 => [], 2 => [0.5], _ => Solve(p - 1) };
                var corrector = p == 1 ? [0.5] : Solve(p);
                plans[k] = new StepPlan(p, s.SigmaHat[k + 1] / s.SigmaHat[k], -Accurate.ExpM1(-h), b, r, predictor, corrector);
            }
            return plans;
        }

        internal override long Run(SamplerRun run)
        {
            if (SolverOrder is < 1 or > 3) throw new ArgumentException($"solver_order must be 1, 2 or 3, got {SolverOrder}.", "solver_order");
            var s = new ScaledRun(run);
            var plans = Plan(s);
            // History per path: m_{k-1}, m_{k-2}, m_{k-3} and the corrected state at the last grid point.
            return s.Each(3, 4, (k, xh, work, history, _) =>
            {
                int d = s.D;
                var e = work[..d];
                var mk = work.Slice(d, d);
                var buffer = work.Slice(2 * d, d);
                var last = history.Slice(3 * d, d);
                var m1 = history[..d];              // m_{k-1}, then m_k after the shift
                var m2 = history.Slice(d, d);       // m_{k-2}
                var m3 = history.Slice(2 * d, d);   // m_{k-3}
                s.EpsAt(k, xh, e, buffer);
                for (int j = 0; j < d; j++) mk[j] = xh[j] - s.SigmaHat[k] * e[j];
                if (Corrector && k > 0)
                {
                    // UniC of step k - 1 with the evaluation at the predicted point k: new value at r = 1, older ones at r_i.
                    var c = plans[k - 1];
                    double w1 = c.Order > 1 ? c.Corrector[0] / c.R[0] : 0, w2 = c.Order > 2 ? c.Corrector[1] / c.R[1] : 0, wt = c.Corrector[c.Order - 1];
                    for (int j = 0; j < d; j++)
                    {
                        double sum = wt * (mk[j] - m1[j]) + w1 * (m2[j] - m1[j]) + w2 * (m3[j] - m1[j]);
                        xh[j] = c.Ratio * last[j] + c.C * m1[j] - c.B * sum;
                    }
                }
                m2.CopyTo(m3);
                m1.CopyTo(m2);
                mk.CopyTo(m1);
                xh.CopyTo(last);
                // UniP of step k: m1 = m_k, m2 = m_{k-1}, m3 = m_{k-2}.
                var plan = plans[k];
                double a1 = plan.Order > 1 ? plan.Predictor[0] / plan.R[0] : 0, a2 = plan.Order > 2 ? plan.Predictor[1] / plan.R[1] : 0;
                for (int j = 0; j < d; j++)
                    xh[j] = plan.Ratio * xh[j] + plan.C * m1[j] - plan.B * (a1 * (m2[j] - m1[j]) + a2 * (m3[j] - m1[j]));
                return 1;
            });
        }
    }
}

using ScoreSpec.Numerics;
using ScoreSpec.Processes;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// Predictor-corrector with a Langevin corrector, in one of two published forms (<see cref="PcVariant"/>):
    /// <see cref="PcVariant.ScoreSde"/> (Song et al. 2021's code, score_sde's LangevinCorrector, the default): at each grid
    /// time, <paramref name="CorrectorSteps"/> Langevin steps x += eps s + sqrt(2 eps) xi with eps = 2 a (snr |xi| / |s|)^2
    /// (norms averaged over the ensemble; a = (alpha_t / alpha_t')^2, the signal ratio between the grid time and the next,
    /// which is score_sde's alpha_i = 1 - beta_i on VP and sub-VP and 1 on VE), then one reverse-SDE Euler-Maruyama
    /// predictor step. <see cref="PcVariant.Seed003"/> (the listing in shared/seeds/003, "Predictor-Corrector"): the
    /// predictor step first, then the corrector at the new time with eps = snr (|z| / |s|)^2, the norms taken over the
    /// whole ensemble as one tensor, without the factor 2 a. docs/samplers.md measures what the difference does.
    /// </summary>
    /// <param name="Snr">The corrector's signal-to-noise ratio, positive.</param>
    /// <param name="CorrectorSteps">Langevin steps per grid time, non-negative.</param>
    /// <param name="Variant">Which published form.</param>
    public sealed record PredictorCorrector(double Snr = 0.16, int CorrectorSteps = 1, PcVariant Variant = PcVariant.ScoreSde) : Sampler
    {
        /// <summary>A copy with the given options changed, the others kept; from F#, <c>pc.With(snr = 0.1)</c>.</summary>
        /// <param name="snr">New <see cref="Snr"/>, or null to keep it.</param>
        /// <param name="correctorSteps">New <see cref="CorrectorSteps"/>, or null to keep it.</param>
        /// <param name="variant">New <see cref="Variant"/>, or null to keep it.</param>
        public PredictorCorrector With(double? snr = null, int? correctorSteps = null, PcVariant? variant = null) =>
            new(snr ?? Snr, correctorSteps ?? CorrectorSteps, variant ?? Variant);

        internal override long Run(SamplerRun run)
        {
            Guard.Positive(Snr, "Snr");
            if (CorrectorSteps < 0) throw new ArgumentException($"CorrectorSteps must be non-negative, got {CorrectorSteps}.", "pc");
            int n = run.N, d = run.D;
            var x = run.X;
            var streams = run.Streams();
            var scores = new double[n * d];
            var noises = new double[n * d];
            var scoreNorm = new double[n];
            var noiseNorm = new double[n];
            var scratch = Enumerable.Range(0, Samplers.Blocks).Select(_ => new double[2 * d]).ToArray();
            long evaluations = 0;
            bool seed003 = Variant == PcVariant.Seed003;
            void Correct(double tc, double a)
            {
                Parallel.For(0, Samplers.Blocks, run.Options, b =>
                {
                    var (lo, hi) = SamplerRun.Range(n, b);
                    for (int i = lo; i < hi; i++)
                    {
                        var s = scores.AsSpan(i * d, d);
                        var xi = noises.AsSpan(i * d, d);
                        run.Score(tc, x.AsSpan(i * d, d), s);
                        Xoshiro.Normals(SamplerRun.Streams(streams, i), xi);
                        double ss = 0, nn = 0;
                        for (int j = 0; j < d; j++) { ss += s[j] * s[j]; nn += xi[j] * xi[j]; }
                        // score_sde averages the per-path norms; the 003 listing takes the norm of the whole tensor, so it
                        // needs the squared norms summed.
                        scoreNorm[i] = seed003 ? ss : Math.Sqrt(ss); noiseNorm[i] = seed003 ? nn : Math.Sqrt(nn);
                    }
                });
                double sumS = 0, sumN = 0;
                for (int i = 0; i < n; i++) { sumS += scoreNorm[i]; sumN += noiseNorm[i]; } // fixed order
                double eps;
                if (seed003) eps = sumS > 0 ? Snr * sumN / sumS : 0;
                else
                {
                    double ratio = sumS > 0 ? Snr * sumN / sumS : 0;
                    eps = 2 * a * ratio * ratio;
                }
                double sq = run.CorrectorNoise?.Invoke(eps) ?? Math.Sqrt(2 * eps);
                Parallel.For(0, Samplers.Blocks, run.Options, b =>
                {
                    var (lo, hi) = SamplerRun.Range(n, b);
                    for (int k = lo * d; k < hi * d; k++) x[k] += eps * scores[k] + sq * noises[k];
                });
                evaluations += n;
            }
            // The predictor is the reverse-SDE Euler-Maruyama step: its table is the one that sampler uses.
            var predictor = Sde.Forward(run.Path).Reverse(run.Score).EulerMaruyamaTable(run.Times, run.StepSizes);
            if (run.Plant is not null) predictor = run.Plant(predictor);
            for (int step = 0; step < run.Steps; step++)
            {
                double t = run.Times[step], tNext = run.Times[step + 1];
                double a = Math.Pow(run.Path.Alpha(t) / run.Path.Alpha(tNext), 2);
                if (!seed003)
                    for (int c = 0; c < CorrectorSteps; c++) Correct(t, a);
                double cx = predictor[3 * step], cs = predictor[3 * step + 1], cn = predictor[3 * step + 2];
                Parallel.For(0, Samplers.Blocks, run.Options, b =>
                {
                    var (lo, hi) = SamplerRun.Range(n, b);
                    var s = scratch[b].AsSpan(0, d);
                    var xi = scratch[b].AsSpan(d, d);
                    for (int i = lo; i < hi; i++)
                    {
                        var xs = x.AsSpan(i * d, d);
                        run.Score(t, xs, s);
                        Xoshiro.Normals(SamplerRun.Streams(streams, i), xi);
                        for (int j = 0; j < d; j++) xs[j] = cx * xs[j] + cs * s[j] + cn * xi[j];
                        if (run.Watcher.Escaped(xs, b, step)) break;
                    }
                    run.Watcher.Done(1);
                });
                evaluations += n;
                run.ThrowIfEscaped(); // the steps are synchronised here, so stop at once
                if (seed003)
                    for (int c = 0; c < CorrectorSteps; c++) Correct(tNext, 1);
                run.KeepAll(step + 1);
            }
            return evaluations;
        }
    }
}

using ScoreSpec.Processes;
using ScoreSpec.Solvers;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// The probability-flow ODE dx/dt = F x - D g^2 s / 2 (shared/seeds/003, "Probability Flow ODE"), the
    /// <see cref="Sde.ProbabilityFlow"/> of the path's forward SDE, solved per path by <paramref name="Method"/>: Euler,
    /// Heun or RK4 steps on the grid, or adaptive Dormand-Prince with <paramref name="Rtol"/> and <paramref name="Atol"/>
    /// from grid point to recorded grid point (from the start to the end when nothing is recorded).
    /// </summary>
    /// <param name="Method">The ODE method.</param>
    /// <param name="Rtol">Relative tolerance of the adaptive method.</param>
    /// <param name="Atol">Absolute tolerance of the adaptive method.</param>
    public sealed record ProbabilityFlow(OdeMethod Method = OdeMethod.Rk4, double Rtol = 1e-6, double Atol = 1e-6) : Sampler
    {
        /// <summary>A copy with the given options changed, the others kept; from F#, <c>pf.With(rtol = 1e-8, atol = 1e-8)</c>.</summary>
        /// <param name="method">New <see cref="Method"/>, or null to keep it.</param>
        /// <param name="rtol">New <see cref="Rtol"/>, or null to keep it.</param>
        /// <param name="atol">New <see cref="Atol"/>, or null to keep it.</param>
        public ProbabilityFlow With(OdeMethod? method = null, double? rtol = null, double? atol = null) =>
            new(method ?? Method, rtol ?? Rtol, atol ?? Atol);

        internal override long Run(SamplerRun run)
        {
            var field = Sde.Forward(run.Path).ProbabilityFlow(run.Score).DriftField;
            return Method == OdeMethod.DormandPrince ? Adaptive(run, field) : Fixed(run, field);
        }

        private long Fixed(SamplerRun run, VectorField field)
        {
            OdeAlgorithm algorithm = Method switch
            {
                OdeMethod.Euler => new OdeAlgorithm.Euler(run.Steps),
                OdeMethod.Heun => new OdeAlgorithm.Heun(run.Steps),
                _ => new OdeAlgorithm.Rk4(run.Steps),
            };
            var steppers = Enumerable.Range(0, Samplers.Blocks).Select(_ => new OdeStepper(run.D)).ToArray();
            long[] nfe = new long[Samplers.Blocks];
            Parallel.For(0, Samplers.Blocks, run.Options, b =>
            {
                var (lo, hi) = SamplerRun.Range(run.N, b);
                for (int step = 0; step < run.Steps; step++)
                {
                    for (int i = lo; i < hi; i++)
                    {
                        var x = run.X.AsSpan(i * run.D, run.D);
                        nfe[b] += steppers[b].Step(algorithm, field, run.Times[step], run.StepSizes[step], x);
                        if (run.Watcher.Escaped(x, b, step)) return;
                        run.Keep(step + 1, i);
                    }
                    run.Watcher.Done(1);
                }
            });
            return nfe.Sum();
        }

        private long Adaptive(SamplerRun run, VectorField field)
        {
            run.Watcher = new Watcher(run.Watch, run.N);
            // Integrate between consecutive recorded grid points, always ending at the last one.
            var stops = Enumerable.Range(1, run.Steps).Where(k => k == run.Steps || run.Record[k]).ToArray();
            long[] nfe = new long[Samplers.Blocks];
            Parallel.For(0, Samplers.Blocks, run.Options, b =>
            {
                var (lo, hi) = SamplerRun.Range(run.N, b);
                var stepper = new OdeStepper(run.D);
                for (int i = lo; i < hi; i++)
                {
                    var x = run.X.AsSpan(i * run.D, run.D);
                    int from = 0;
                    foreach (int to in stops)
                    {
                        nfe[b] += stepper.Adaptive(field, run.Times[from], run.Times[to], x, Rtol, Atol, 1_000_000).Nfe;
                        run.Keep(to, i);
                        from = to;
                    }
                    // An adaptive run has no step grid: an escape is reported at the last step.
                    if (run.Watcher.Escaped(x, b, run.Steps - 1)) return;
                    run.Watcher.Done(1);
                }
            });
            return nfe.Sum();
        }
    }
}

using System.Collections.Immutable;
using ScoreSpec.Paths;

namespace ScoreSpec.Sampling;

/// <summary>A setting of a sampler, as the CLI reads it from a request.</summary>
public abstract record SamplerOption
{
    private SamplerOption() { }

    /// <summary>The request key.</summary>
    public abstract string Name { get; }

    /// <summary>A number in [Min, Max] (open at Min when <paramref name="OpenMin"/>).</summary>
    /// <param name="Name">The request key.</param>
    /// <param name="Default">The value when the key is absent.</param>
    /// <param name="Min">The smallest value allowed.</param>
    /// <param name="Max">The largest value allowed.</param>
    /// <param name="OpenMin">True when Min itself is excluded.</param>
    /// <param name="Why">Why the range is what it is, for the error message; empty for none.</param>
    /// <param name="Whole">True when only whole numbers are allowed (an order, a count).</param>
    public sealed record Number(string Name, double Default, double Min, double Max, bool OpenMin = false, string Why = "", bool Whole = false) : SamplerOption
    {
        /// <inheritdoc/>
        public override string Name { get; } = Name;
    }

    /// <summary>One of a fixed list of words.</summary>
    /// <param name="Name">The request key.</param>
    /// <param name="Default">The word when the key is absent.</param>
    /// <param name="Choices">The words allowed.</param>
    public sealed record Word(string Name, string Default, ImmutableArray<string> Choices) : SamplerOption, IStructural
    {
        /// <summary>Value equality: every member equal, sequences element by element.</summary>
        /// <param name="other">The record to compare with.</param>
        public bool Equals(Word? other) => Structural.Equal(this, other);
        /// <summary>A hash consistent with <see cref="Equals(Word)"/>.</summary>
        public override int GetHashCode() => Structural.Hash(this);
        object?[] IStructural.Members => [Name, Default, Choices];
        /// <inheritdoc/>
        protected override bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

        /// <inheritdoc/>
        public override string Name { get; } = Name;
    }

    /// <summary>A switch, true or false (JSON <c>true</c> / <c>false</c>).</summary>
    /// <param name="Name">The request key.</param>
    /// <param name="Default">The value when the key is absent.</param>
    public sealed record Flag(string Name, bool Default) : SamplerOption
    {
        /// <inheritdoc/>
        public override string Name { get; } = Name;
    }
}

/// <summary>The values of a sampler's options; absent keys take the option's default.</summary>
/// <param name="Numbers">Number options by name.</param>
/// <param name="Words">Word options by name.</param>
public sealed record SamplerSettings(ImmutableDictionary<string, double> Numbers, ImmutableDictionary<string, string> Words) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(SamplerSettings? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(SamplerSettings)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Numbers, Words, Flags];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>Flag options by name (none unless set).</summary>
    public ImmutableDictionary<string, bool> Flags { get; init; } = ImmutableDictionary<string, bool>.Empty;

    /// <summary>No option set: every option takes its default.</summary>
    public static SamplerSettings Defaults { get; } = new(ImmutableDictionary<string, double>.Empty, ImmutableDictionary<string, string>.Empty);
}

/// <summary>
/// One sampler as the CLI, the catalog and the tests know it: its contract name, what it is, where it comes from, its
/// options, where it is defined, and how to build it.
/// </summary>
/// <param name="Name">The contract name (docs/cli.md, <c>sampler</c>).</param>
/// <param name="Summary">One line: the algorithm.</param>
/// <param name="Source">Where the algorithm is stated (seed file and chapter, or paper).</param>
/// <param name="Adaptive">True when the sampler chooses its own steps (the request then has no <c>steps</c>).</param>
/// <param name="Stochastic">True when the sampler draws noise.</param>
/// <param name="EvaluationsPerStep">Score evaluations per path and grid step, for cost estimates (for an adaptive sampler, per step it typically takes).</param>
/// <param name="Options">The options the sampler reads.</param>
/// <param name="DefinedOn">Whether the sampler is defined on a path; the reason it is not, or null.</param>
/// <param name="Create">Builds the sampler from its option values.</param>
public sealed record SamplerEntry(string Name, string Summary, string Source, bool Adaptive, bool Stochastic, double EvaluationsPerStep,
    ImmutableArray<SamplerOption> Options, Func<GaussianPath, string?> DefinedOn, Func<SamplerSettings, Sampler> Create) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(SamplerEntry? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(SamplerEntry)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Name, Summary, Source, Adaptive, Stochastic, EvaluationsPerStep, Options, DefinedOn, Create, Order, OrderKind, TreeQueriesPerStep, EvaluationsOption];

    /// <summary>
    /// The order of accuracy the method claims, p in error = O(h^p): of the distance from the exact flow map for a
    /// deterministic sampler, of the error in expectations (weak order) for a stochastic one. Checked by
    /// tests/Properties/SamplerOrders for the deterministic samplers and tests/Properties/WeakOrders (the exact variance
    /// of the end point for Gaussian data) for the stochastic ones; 0 for a sampler that is not a discretisation in t.
    /// </summary>
    public double Order { get; init; }

    /// <summary>
    /// Brownian-tree queries per path and step (each a descent of about 40 levels, several times the cost of a score
    /// evaluation), for cost estimates: 0 for samplers that draw plain normals.
    /// </summary>
    public double TreeQueriesPerStep { get; init; }

    /// <summary>
    /// The whole-number option that multiplies <see cref="EvaluationsPerStep"/> (annealed Langevin's steps_per_level, whose
    /// default EvaluationsPerStep states), or empty: cost estimates use <see cref="EvaluationsPerStepWith"/>.
    /// </summary>
    public string EvaluationsOption { get; init; } = "";

    /// <summary>Score evaluations per path and grid step with <paramref name="settings"/>.</summary>
    /// <param name="settings">The option values.</param>
    public double EvaluationsPerStepWith(SamplerSettings settings)
        => EvaluationsOption.Length == 0 ? EvaluationsPerStep : NumberOf(settings ?? SamplerSettings.Defaults, EvaluationsOption);

    /// <summary>"flow map" for a deterministic sampler's order, "weak" for a stochastic one's, "none" when the sampler is not a discretisation in t (annealed Langevin: Order 0).</summary>
    public string OrderKind => Stochastic ? (Order > 0 ? "weak" : "none") : "flow map";
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>The sampler with its option defaults.</summary>
    public Sampler Default => Create(SamplerSettings.Defaults);

    /// <summary>The value of number option <paramref name="name"/> in <paramref name="settings"/>, or its default.</summary>
    internal double NumberOf(SamplerSettings settings, string name)
        => settings.Numbers.TryGetValue(name, out double v) ? v : Options.OfType<SamplerOption.Number>().Single(o => o.Name == name).Default;

    /// <summary>The value of flag option <paramref name="name"/> in <paramref name="settings"/>, or its default.</summary>
    internal bool FlagOf(SamplerSettings settings, string name)
        => settings.Flags.TryGetValue(name, out bool v) ? v : Options.OfType<SamplerOption.Flag>().Single(o => o.Name == name).Default;

    /// <summary>The value of word option <paramref name="name"/> in <paramref name="settings"/>, or its default.</summary>
    internal string WordOf(SamplerSettings settings, string name)
        => settings.Words.TryGetValue(name, out var v) ? v : Options.OfType<SamplerOption.Word>().Single(o => o.Name == name).Default;

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}

/// <summary>
/// Every sampler, by contract name: the one list the CLI, the catalog and the tests enumerate. Adding a sampler is its
/// file under Sampling/Algorithms and one entry here (docs/contributing.md).
/// </summary>
public static class SamplerRegistry
{
    private const string Tolerance = "tolerances below 1e-13 cannot be met in double precision";

    private static readonly ImmutableArray<SamplerOption> None = [];

    private static string? Everywhere(GaussianPath path) => null;

    private static SamplerEntry OdeEntry(string name, OdeMethod method, int perStep, string summary)
        => new(name, summary, "shared/seeds/003 'Probability Flow ODE'", false, false, perStep, None, Everywhere, _ => new Sampler.ProbabilityFlow(method)) { Order = perStep };

    /// <summary>The samplers, in the order of the contract table.</summary>
    public static ImmutableArray<SamplerEntry> All { get; } =
    [
        new("euler_maruyama", "Euler-Maruyama on Anderson's reverse SDE", "shared/seeds/003 'Anderson's Theorem'; shared/seeds/004 'Reversing the SDE'",
            false, true, 1, None, Everywhere, _ => new Sampler.ReverseSde()) { Order = 1 },
        OdeEntry("pf_ode_euler", OdeMethod.Euler, 1, "explicit Euler on the probability-flow ODE"),
        OdeEntry("pf_ode_heun", OdeMethod.Heun, 2, "Heun on the probability-flow ODE"),
        OdeEntry("pf_ode_rk4", OdeMethod.Rk4, 4, "classical RK4 on the probability-flow ODE"),
        new("pf_ode_dopri5", "adaptive Dormand-Prince 5(4) on the probability-flow ODE", "shared/seeds/003 'Probability Flow ODE'",
            true, false, 6,
            [new SamplerOption.Number("rtol", 1e-6, 1e-13, 1, Why: Tolerance), new SamplerOption.Number("atol", 1e-6, 1e-13, 1, Why: Tolerance)],
            Everywhere, s => new Sampler.ProbabilityFlow(OdeMethod.DormandPrince, Get("pf_ode_dopri5").NumberOf(s, "rtol"), Get("pf_ode_dopri5").NumberOf(s, "atol"))) { Order = 5 },
        new("predictor_corrector", "reverse-SDE predictor with a Langevin corrector", "Song et al. 2021 (score_sde); shared/seeds/003 'Predictor-Corrector'",
            false, true, 2,
            [new SamplerOption.Number("snr", 0.16, 0, 100, OpenMin: true), new SamplerOption.Word("pc_variant", "score_sde", ["score_sde", "seed003"])],
            Everywhere, s =>
            {
                var entry = Get("predictor_corrector");
                return new Sampler.PredictorCorrector(entry.NumberOf(s, "snr"), 1, entry.WordOf(s, "pc_variant") == "seed003" ? PcVariant.Seed003 : PcVariant.ScoreSde);
            }) { Order = 1 },
        new("extension", "Euler-Maruyama on the SDE extension trick with a constant sigma", "shared/seeds/002 Ch. 4 (Theorem 17)",
            false, true, 1, [new SamplerOption.Number("sigma", 0.5, 0, 1e6)], Everywhere,
            s => { double sigma = Get("extension").NumberOf(s, "sigma"); return new Sampler.Extension(_ => sigma); }) { Order = 1 },
        new("ancestral", "the discrete reverse chain (DDPM on vp and cosine, SMLD on ve)", "Ho et al. 2020; score_sde's AncestralSamplingPredictor",
            false, true, 1, [new SamplerOption.Word("variance", "default", ["default", "fixed_large", "fixed_small"])],
            path => path is VpPath or CosinePath or VePath ? null : $"ancestral sampling is defined for vp, cosine and ve paths, not {path.Kind}",
            s => new Sampler.Ancestral(Get("ancestral").WordOf(s, "variance") switch
            {
                "fixed_large" => AncestralVariance.FixedLarge,
                "fixed_small" => AncestralVariance.FixedSmall,
                _ => AncestralVariance.Default,
            })) { Order = 1 },
        new("ddim", "DDIM: x0 predicted, then re-noised with eta times the posterior noise", "Song, Meng and Ermon 2021; shared/seeds/004 'Hands-on companions'",
            false, true, 1, [new SamplerOption.Number("eta", 0, 0, 10)], Everywhere,
            s => new Sampler.Ddim(Get("ddim").NumberOf(s, "eta"))) { Order = 1 },
        new("euler", "Euler on the probability-flow ODE in x / alpha and sigma / alpha (k-diffusion; the same map as DDIM with eta = 0)",
            "Karras et al. 2022, section 3; k-diffusion sample_euler", false, false, 1, None, Everywhere, _ => new Sampler.Euler()) { Order = 1 },
        new("heun", "EDM's second-order sampler with optional churn (deterministic when s_churn = 0)", "Karras et al. 2022, Algorithm 2; k-diffusion sample_heun",
            false, false, 2,
            [new SamplerOption.Number("s_churn", 0, 0, 1e6), new SamplerOption.Number("s_tmin", 0, 0, 1e300),
             new SamplerOption.Number("s_tmax", 1e300, 0, 1e300, Why: "1e300 stands for no upper limit"), new SamplerOption.Number("s_noise", 1, 0, 10)],
            Everywhere, s =>
            {
                var entry = Get("heun");
                return new Sampler.Heun(entry.NumberOf(s, "s_churn"), entry.NumberOf(s, "s_tmin"), entry.NumberOf(s, "s_tmax"), entry.NumberOf(s, "s_noise"));
            }) { Order = 2 },
        new("dpm_2", "DPM-2: an Euler half step to the geometric mean of the sigmas, then the step with the slope there", "Lu et al. 2022; k-diffusion sample_dpm_2",
            false, false, 2, None, Everywhere, _ => new Sampler.Dpm2()) { Order = 2 },
        new("dpm_solver_1", "singlestep DPM-Solver of order 1 (DDIM)", "Lu et al. 2022, Algorithm 1", false, false, 1, None, Everywhere, _ => new Sampler.DpmSolver(1)) { Order = 1 },
        new("dpm_solver_2", "singlestep DPM-Solver of order 2 (r1 = 1/2)", "Lu et al. 2022, Algorithm 1", false, false, 2, None, Everywhere, _ => new Sampler.DpmSolver(2)) { Order = 2 },
        new("dpm_solver_3", "singlestep DPM-Solver of order 3 (r1 = 1/3, r2 = 2/3)", "Lu et al. 2022, Algorithm 2", false, false, 3, None, Everywhere, _ => new Sampler.DpmSolver(3)) { Order = 3 },
        new("dpmpp_2m", "multistep DPM-Solver++(2M) in the data prediction, first order at the last step of runs under 15 steps",
            "Lu et al. 2022b, Algorithm 2; k-diffusion sample_dpmpp_2m; diffusers lower_order_final", false, false, 1, None, Everywhere, _ => new Sampler.DpmPp2M()) { Order = 2 },
        new("lms", "linear multistep of order 4 in sigma / alpha (Lagrange integrals over unequal steps)", "k-diffusion sample_lms",
            false, false, 1, None, Everywhere, _ => new Sampler.Lms()) { Order = 4 },
        new("unipc", "UniPC: the UniP predictor and the UniC corrector (which reuses the next step's evaluation), multistep in the data prediction",
            "Zhao et al. 2023, Algorithms 1-3; diffusers UniPCMultistepScheduler", false, false, 1,
            [new SamplerOption.Number("solver_order", 2, 1, 3, Whole: true), new SamplerOption.Word("solver_type", "bh2", ["bh1", "bh2"]),
             new SamplerOption.Flag("lower_order_final", true), new SamplerOption.Flag("corrector", true)],
            Everywhere, s =>
            {
                var entry = Get("unipc");
                return new Sampler.UniPc((int)entry.NumberOf(s, "solver_order"), entry.WordOf(s, "solver_type") == "bh1" ? UniPcVariant.Bh1 : UniPcVariant.Bh2,
                    entry.FlagOf(s, "lower_order_final"), entry.FlagOf(s, "corrector"));
            }) { Order = 2 },
        new("flow_match_euler", "flow matching's Euler on the velocity over the grid with SD3's shift of the noise levels, sigma -> s sigma / (1 + (s - 1) sigma)",
            "Esser et al. 2024 (SD3), section 5.3.2; diffusers FlowMatchEulerDiscreteScheduler; shared/seeds/002 Ch. 3-4", false, false, 1,
            [new SamplerOption.Number("shift", 1, 0, 1e6, OpenMin: true)],
            path => path is CondOtPath ? null : $"flow_match_euler is defined on the condot path (noise level 1 - t), not on {path.Kind}",
            s => new Sampler.FlowMatchEuler(Get("flow_match_euler").NumberOf(s, "shift"))) { Order = 1 },
        new("annealed_langevin", "NCSN's annealed Langevin dynamics: T unadjusted Langevin steps at each grid level, step epsilon sigma^2 / sigma_L^2",
            "Song and Ermon 2019, Algorithm 1; shared/seeds/003 (NCSN and the VE SDE)", false, true, 100,
            [new SamplerOption.Number("steps_per_level", 100, 1, 100_000, Whole: true), new SamplerOption.Number("step_size", 2e-5, 0, 1e6, OpenMin: true)],
            path => path is VePath ? null : $"annealed Langevin dynamics runs over NCSN's noise levels, on the ve path, not on {path.Kind}",
            s => new Sampler.AnnealedLangevin((int)Get("annealed_langevin").NumberOf(s, "steps_per_level"), Get("annealed_langevin").NumberOf(s, "step_size")))
            { Order = 0, EvaluationsOption = "steps_per_level" },
        new("euler_ancestral", "Euler with ancestral noise: each step splits sigma / alpha into a deterministic part and fresh noise (eta)", "k-diffusion sample_euler_ancestral",
            false, true, 1, [new SamplerOption.Number("eta", 1, 0, 1), new SamplerOption.Number("s_noise", 1, 0, 10)], Everywhere,
            s => new Sampler.EulerAncestral(Get("euler_ancestral").NumberOf(s, "eta"), Get("euler_ancestral").NumberOf(s, "s_noise"))) { Order = 1 },
        new("dpmpp_2m_sde", "SDE-DPM-Solver++(2M), midpoint form, noise from a Brownian tree in sigma / alpha (eta)", "Lu et al. 2022b; k-diffusion sample_dpmpp_2m_sde",
            false, true, 1, [new SamplerOption.Number("eta", 1, 0, 10), new SamplerOption.Number("s_noise", 1, 0, 10)], Everywhere,
            s => new Sampler.DpmPp2MSde(Get("dpmpp_2m_sde").NumberOf(s, "eta"), Get("dpmpp_2m_sde").NumberOf(s, "s_noise"))) { Order = 2, TreeQueriesPerStep = 1 },
        new("dpmpp_2s_ancestral", "DPM-Solver++(2S) to sigma_down, then ancestral noise (eta)", "Lu et al. 2022b; k-diffusion sample_dpmpp_2s_ancestral",
            false, true, 2, [new SamplerOption.Number("eta", 1, 0, 1), new SamplerOption.Number("s_noise", 1, 0, 10)], Everywhere,
            s => new Sampler.DpmPp2SAncestral(Get("dpmpp_2s_ancestral").NumberOf(s, "eta"), Get("dpmpp_2s_ancestral").NumberOf(s, "s_noise"))) { Order = 2 },
        new("dpmpp_sde", "DPM-Solver++ SDE: a midpoint stage in lambda, each part split ancestrally, Brownian-tree noise (eta)", "Lu et al. 2022b; k-diffusion sample_dpmpp_sde",
            false, true, 2, [new SamplerOption.Number("eta", 1, 0, 10), new SamplerOption.Number("s_noise", 1, 0, 10)], Everywhere,
            s => new Sampler.DpmPpSde(Get("dpmpp_sde").NumberOf(s, "eta"), Get("dpmpp_sde").NumberOf(s, "s_noise"))) { Order = 2, TreeQueriesPerStep = 2 },
        new("dpmpp_3m_sde", "third-order multistep SDE-DPM-Solver++, noise from a Brownian tree in sigma / alpha (eta)", "k-diffusion sample_dpmpp_3m_sde",
            false, true, 1,
            [new SamplerOption.Number("eta", 1, 0, 10), new SamplerOption.Number("s_noise", 1, 0, 10), new SamplerOption.Word("second_order_term", "k_diffusion", ["k_diffusion", "exact"])],
            Everywhere,
            s => new Sampler.DpmPp3MSde(Get("dpmpp_3m_sde").NumberOf(s, "eta"), Get("dpmpp_3m_sde").NumberOf(s, "s_noise"), Get("dpmpp_3m_sde").WordOf(s, "second_order_term") == "exact")) { Order = 2, TreeQueriesPerStep = 1 },
    ];

    /// <summary>The contract names, in order.</summary>
    public static ImmutableArray<string> Names { get; } = [.. All.Select(e => e.Name)];

    /// <summary>The entry named <paramref name="name"/>.</summary>
    /// <param name="name">A contract name.</param>
    /// <exception cref="ArgumentException">No sampler has that name.</exception>
    public static SamplerEntry Get(string name)
        => All.FirstOrDefault(e => e.Name == name) ?? throw new ArgumentException($"sampler must be one of {string.Join(", ", Names)}; got '{name}'.", nameof(name));
}

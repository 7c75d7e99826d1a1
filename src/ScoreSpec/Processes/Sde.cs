using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;

namespace ScoreSpec.Processes;

/// <summary>
/// An SDE as a value: dx = f(t, x) dt + g(t) dW, run in the direction <see cref="Direction"/> of t (+1: t increases;
/// -1: t decreases). The drift is written as dx/dt in t itself, so a step of size h &gt; 0 in the SDE's direction reads
/// x(t + Direction h) = x + Direction f(t, x) h + g(t) sqrt(h) xi. Its Fokker-Planck equation in t is
/// d/dt p = -div(f p) + Direction (g^2 / 2) Laplacian p (shared/seeds/002, Chapter 5).
/// The cases are the processes of the theory: the forward SDE of a Gaussian path, Ornstein-Uhlenbeck, Brownian motion,
/// Langevin dynamics, and the processes built from another one and a score: <see cref="Reverse"/> (Anderson 1982),
/// <see cref="ProbabilityFlow"/> and <see cref="Extension"/> (shared/seeds/002, Chapter 4), as score_sde's
/// <c>SDE.reverse</c> builds them. Equal values have equal parameters and the same score functions.
/// </summary>
public abstract record Sde
{
    private Sde() { }

    /// <summary>
    /// Exhaustive case analysis: calls the function for this process's case. From F# the compiler then checks that every
    /// case is handled.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="forward">For <see cref="ForwardOf"/>.</param>
    /// <param name="ornsteinUhlenbeck">For <see cref="OrnsteinUhlenbeck"/>.</param>
    /// <param name="brownianMotion">For <see cref="BrownianMotion"/>.</param>
    /// <param name="langevin">For <see cref="Langevin"/>.</param>
    /// <param name="reverse">For <see cref="ReverseOf"/>.</param>
    /// <param name="probabilityFlow">For <see cref="ProbabilityFlowOf"/>.</param>
    /// <param name="extension">For <see cref="ExtensionOf"/>.</param>
    public T Match<T>(Func<ForwardOf, T> forward, Func<OrnsteinUhlenbeck, T> ornsteinUhlenbeck, Func<BrownianMotion, T> brownianMotion,
        Func<Langevin, T> langevin, Func<ReverseOf, T> reverse, Func<ProbabilityFlowOf, T> probabilityFlow, Func<ExtensionOf, T> extension)
    {
        Guard.Function(forward, nameof(forward)); Guard.Function(ornsteinUhlenbeck, nameof(ornsteinUhlenbeck));
        Guard.Function(brownianMotion, nameof(brownianMotion)); Guard.Function(langevin, nameof(langevin));
        Guard.Function(reverse, nameof(reverse)); Guard.Function(probabilityFlow, nameof(probabilityFlow)); Guard.Function(extension, nameof(extension));
        return this switch
        {
            ForwardOf f => forward(f),
            OrnsteinUhlenbeck o => ornsteinUhlenbeck(o),
            BrownianMotion b => brownianMotion(b),
            Langevin l => langevin(l),
            ReverseOf r => reverse(r),
            ProbabilityFlowOf p => probabilityFlow(p),
            ExtensionOf e => extension(e),
            _ => throw new InvalidOperationException("unreachable: Sde has seven cases."),
        };
    }

    /// <summary>+1 when the process runs forward in t, -1 when backward.</summary>
    public abstract int Direction { get; }

    /// <summary>The drift f(t, x), written into <paramref name="dxdt"/> (no allocation for d up to 256).</summary>
    /// <param name="t">The time.</param>
    /// <param name="x">The state.</param>
    /// <param name="dxdt">Receives f(t, x).</param>
    public abstract void Drift(double t, ReadOnlySpan<double> x, Span<double> dxdt);

    /// <summary>g(t)^2, the squared diffusion coefficient (zero for an ODE).</summary>
    /// <param name="t">The time.</param>
    public abstract double DiffusionSquared(double t);

    /// <summary>g(t) = sqrt(g(t)^2).</summary>
    /// <param name="t">The time.</param>
    public double Diffusion(double t) => Math.Sqrt(DiffusionSquared(t));

    /// <summary>The drift f(t, x) as a new array, for F# and quick use.</summary>
    /// <param name="t">The time.</param>
    /// <param name="x">The state (finite).</param>
    public double[] DriftAt(double t, double[] x)
    {
        Guard.Finite(t, nameof(t));
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        var f = new double[x!.Length];
        Drift(t, x, f);
        return f;
    }

    /// <summary>The drift as a <see cref="VectorField"/>, for the ODE and SDE solvers.</summary>
    public VectorField DriftField => Drift;

    /// <summary>
    /// Anderson's reverse-time SDE: drift f - Direction g^2 s, the same g, run in the opposite direction
    /// (shared/seeds/003 "Anderson's Theorem (1982)"; shared/seeds/004 "Reversing the SDE"). With the exact score of the
    /// forward process's marginals it has the same marginals, traversed backward. Reversing twice returns the drift f.
    /// </summary>
    /// <param name="score">The score s(t, x) of the marginals p_t of this process.</param>
    public Sde Reverse(ScoreFunction score) => new ReverseOf(this, score);

    /// <summary>
    /// The probability-flow ODE: drift f - Direction g^2 s / 2 and no noise (shared/seeds/003 "Probability Flow ODE"):
    /// a deterministic process with the same marginals. Its direction is the opposite of this one's (the way samplers run
    /// it); an ODE can be integrated either way.
    /// </summary>
    /// <param name="score">The score s(t, x) of the marginals p_t of this process.</param>
    public Sde ProbabilityFlow(ScoreFunction score) => new ProbabilityFlowOf(this, score);

    /// <summary>
    /// The SDE extension trick (shared/seeds/002, Chapter 4, Theorem 17): for any sigma(t) &gt;= 0, the process with drift
    /// f - Direction (g^2 + sigma^2) / 2 s and diffusion sigma, run opposite to this one, has the same marginals;
    /// sigma = g is <see cref="Reverse"/> and sigma = 0 <see cref="ProbabilityFlow"/>.
    /// </summary>
    /// <param name="score">The score s(t, x) of the marginals p_t of this process.</param>
    /// <param name="sigma">sigma(t) &gt;= 0, finite.</param>
    public Sde Extension(ScoreFunction score, Func<double, double> sigma) => new ExtensionOf(this, score, sigma);

    /// <summary>The forward (noising) SDE of <paramref name="path"/>: f = F(t) x with F = d log alpha_t / dt, g^2 the path's.</summary>
    /// <param name="path">The Gaussian path whose marginals, started from data, the SDE has.</param>
    public static Sde Forward(GaussianPath path) => new ForwardOf(path);

    /// <summary>
    /// For a drift affine in the state and in the process's score, f(t, x) = F(t) x - c(t) s(t, x): the pair (F, c) at t;
    /// null for any other drift. Every process built from a path by <see cref="Reverse"/>, <see cref="ProbabilityFlow"/>
    /// or <see cref="Extension"/> has this form, which is what lets the Euler-Maruyama step be written as a per-step table
    /// (<see cref="EulerMaruyamaTable"/>) and its law computed in closed form for Gaussian data.
    /// </summary>
    internal virtual (double F, double C)? AffineInScore(double t) => null;

    /// <summary>(F, c) of a process built on an inner one that has no score term, with the given c; null otherwise.</summary>
    private static (double F, double C)? WithScoreTerm(Sde inner, double t, double c)
        => inner.AffineInScore(t) is (double F, 0.0) ? (F, c) : null;

    /// <summary>
    /// The Euler-Maruyama step x_{k+1} = x_k + f(t_k, x_k) h_k + g(t_k) sqrt(|h_k|) xi of a drift affine in x and the
    /// score, f = F x - c s, written as x_{k+1} = cx x_k + cs s + cn xi: three numbers per step,
    /// cx = 1 + F h, cs = -c h, cn = g sqrt(|h|).
    /// </summary>
    internal double[] EulerMaruyamaTable(double[] times, double[] steps)
    {
        var table = new double[3 * steps.Length];
        for (int k = 0; k < steps.Length; k++)
        {
            double t = times[k], h = steps[k];
            var (F, c) = AffineInScore(t) ?? throw new InvalidOperationException($"{GetType().Name} has no drift affine in the score.");
            table[3 * k] = 1 + F * h;
            table[3 * k + 1] = -c * h;
            table[3 * k + 2] = Math.Sqrt(DiffusionSquared(t)) * Math.Sqrt(Math.Abs(h));
        }
        return table;
    }

    /// <summary>
    /// A process whose drift is f(t, x) = F x minus a multiple c(t) of a score, the shape shared by the reverse SDE, the
    /// probability-flow ODE and the extension trick.
    /// </summary>
    private static void MinusScoreTerm(Sde inner, ScoreFunction score, double c, double t, ReadOnlySpan<double> x, Span<double> dxdt)
    {
        inner.Drift(t, x, dxdt);
        Span<double> s = x.Length <= 256 ? stackalloc double[x.Length] : new double[x.Length];
        score(t, x, s);
        for (int i = 0; i < x.Length; i++) dxdt[i] -= c * s[i];
    }

    /// <summary>The forward SDE of a Gaussian path: dx = F(t) x dt + g(t) dW in the path's noising direction.</summary>
    /// <param name="Path">The path.</param>
    public sealed record ForwardOf(GaussianPath Path) : Sde
    {
        /// <summary>The path.</summary>
        public GaussianPath Path { get; } = Path ?? throw new ArgumentException("path must not be null.", "path");
        /// <inheritdoc/>
        public override int Direction => Path.NoisingDirection;
        /// <inheritdoc/>
        public override void Drift(double t, ReadOnlySpan<double> x, Span<double> dxdt)
        {
            double F = Path.LogAlphaDot(t);
            for (int i = 0; i < x.Length; i++) dxdt[i] = F * x[i];
        }
        /// <inheritdoc/>
        public override double DiffusionSquared(double t) => Path.DiffusionSquared(t);
        internal override (double F, double C)? AffineInScore(double t) => (Path.LogAlphaDot(t), 0);
    }

    /// <summary>Ornstein-Uhlenbeck: dx = -theta x dt + sigma dW, forward in t; stationary law N(0, sigma^2 / (2 theta) I) for theta &gt; 0.</summary>
    /// <param name="Theta">The mean-reversion rate, finite.</param>
    /// <param name="Sigma">The noise scale, finite and non-negative.</param>
    public sealed record OrnsteinUhlenbeck(double Theta, double Sigma) : Sde
    {
        /// <summary>The mean-reversion rate.</summary>
        public double Theta { get; } = Guard.Finite(Theta, "theta");
        /// <summary>The noise scale.</summary>
        public double Sigma { get; } = Guard.NonNegative(Sigma, "sigma");
        /// <inheritdoc/>
        public override int Direction => 1;
        /// <inheritdoc/>
        public override void Drift(double t, ReadOnlySpan<double> x, Span<double> dxdt)
        {
            for (int i = 0; i < x.Length; i++) dxdt[i] = -Theta * x[i];
        }
        /// <inheritdoc/>
        public override double DiffusionSquared(double t) => Sigma * Sigma;
        internal override (double F, double C)? AffineInScore(double t) => (-Theta, 0);
    }

    /// <summary>Brownian motion dx = sigma dW, forward in t.</summary>
    /// <param name="Sigma">The noise scale, finite and non-negative.</param>
    public sealed record BrownianMotion(double Sigma = 1) : Sde
    {
        /// <summary>The noise scale.</summary>
        public double Sigma { get; } = Guard.NonNegative(Sigma, "sigma");
        /// <inheritdoc/>
        public override int Direction => 1;
        /// <inheritdoc/>
        public override void Drift(double t, ReadOnlySpan<double> x, Span<double> dxdt) => dxdt[..x.Length].Clear();
        /// <inheritdoc/>
        public override double DiffusionSquared(double t) => Sigma * Sigma;
        internal override (double F, double C)? AffineInScore(double t) => (0, 0);
    }

    /// <summary>
    /// Langevin dynamics towards a target p: dx = (g^2 / 2) grad log p dt + g dW, forward in t, which leaves p stationary
    /// (shared/seeds/002, Chapter 6). g = sqrt(2) gives the usual dx = grad log p dt + sqrt(2) dW.
    /// </summary>
    /// <param name="TargetScore">grad log p, called with the process's time.</param>
    /// <param name="G">The noise scale g, finite and non-negative.</param>
    public sealed record Langevin(ScoreFunction TargetScore, double G) : Sde
    {
        /// <summary>grad log p.</summary>
        public ScoreFunction TargetScore { get; } = TargetScore ?? throw new ArgumentException("targetScore must not be null.", "targetScore");
        /// <summary>The noise scale g.</summary>
        public double G { get; } = Guard.NonNegative(G, "g");
        /// <inheritdoc/>
        public override int Direction => 1;
        /// <inheritdoc/>
        public override void Drift(double t, ReadOnlySpan<double> x, Span<double> dxdt)
        {
            TargetScore(t, x, dxdt);
            double c = G * G / 2;
            for (int i = 0; i < x.Length; i++) dxdt[i] *= c;
        }
        /// <inheritdoc/>
        public override double DiffusionSquared(double t) => G * G;
    }

    /// <summary>Anderson's reverse of <paramref name="Process"/> with <paramref name="Score"/>; see <see cref="Sde.Reverse"/>.</summary>
    /// <param name="Process">The process reversed.</param>
    /// <param name="Score">The score of its marginals.</param>
    public sealed record ReverseOf(Sde Process, ScoreFunction Score) : Sde
    {
        /// <summary>The process reversed.</summary>
        public Sde Process { get; } = Process ?? throw new ArgumentException("process must not be null.", "process");
        /// <summary>The score of its marginals.</summary>
        public ScoreFunction Score { get; } = Score ?? throw new ArgumentException("score must not be null.", "score");
        /// <inheritdoc/>
        public override int Direction => -Process.Direction;
        /// <inheritdoc/>
        public override void Drift(double t, ReadOnlySpan<double> x, Span<double> dxdt)
            => MinusScoreTerm(Process, Score, Process.Direction * Process.DiffusionSquared(t), t, x, dxdt);
        /// <inheritdoc/>
        public override double DiffusionSquared(double t) => Process.DiffusionSquared(t);
        internal override (double F, double C)? AffineInScore(double t) => WithScoreTerm(Process, t, Process.Direction * Process.DiffusionSquared(t));
    }

    /// <summary>The probability-flow ODE of <paramref name="Process"/> with <paramref name="Score"/>; see <see cref="Sde.ProbabilityFlow"/>.</summary>
    /// <param name="Process">The process whose marginals the ODE carries.</param>
    /// <param name="Score">The score of its marginals.</param>
    public sealed record ProbabilityFlowOf(Sde Process, ScoreFunction Score) : Sde
    {
        /// <summary>The process whose marginals the ODE carries.</summary>
        public Sde Process { get; } = Process ?? throw new ArgumentException("process must not be null.", "process");
        /// <summary>The score of its marginals.</summary>
        public ScoreFunction Score { get; } = Score ?? throw new ArgumentException("score must not be null.", "score");
        /// <inheritdoc/>
        public override int Direction => -Process.Direction;
        /// <inheritdoc/>
        public override void Drift(double t, ReadOnlySpan<double> x, Span<double> dxdt)
            => MinusScoreTerm(Process, Score, Process.Direction * Process.DiffusionSquared(t) / 2, t, x, dxdt);
        /// <inheritdoc/>
        public override double DiffusionSquared(double t) => 0;
        internal override (double F, double C)? AffineInScore(double t) => WithScoreTerm(Process, t, Process.Direction * Process.DiffusionSquared(t) / 2);
    }

    /// <summary>The extension-trick SDE of <paramref name="Process"/>; see <see cref="Sde.Extension"/>.</summary>
    /// <param name="Process">The process whose marginals the SDE carries.</param>
    /// <param name="Score">The score of its marginals.</param>
    /// <param name="Sigma">sigma(t) &gt;= 0.</param>
    public sealed record ExtensionOf(Sde Process, ScoreFunction Score, Func<double, double> Sigma) : Sde
    {
        /// <summary>The process whose marginals the SDE carries.</summary>
        public Sde Process { get; } = Process ?? throw new ArgumentException("process must not be null.", "process");
        /// <summary>The score of its marginals.</summary>
        public ScoreFunction Score { get; } = Score ?? throw new ArgumentException("score must not be null.", "score");
        /// <summary>sigma(t).</summary>
        public Func<double, double> Sigma { get; } = Sigma ?? throw new ArgumentException("sigma must not be null.", "sigma");
        /// <inheritdoc/>
        public override int Direction => -Process.Direction;
        /// <inheritdoc/>
        public override void Drift(double t, ReadOnlySpan<double> x, Span<double> dxdt)
            => MinusScoreTerm(Process, Score, Process.Direction * (Process.DiffusionSquared(t) + DiffusionSquared(t)) / 2, t, x, dxdt);
        internal override (double F, double C)? AffineInScore(double t) => WithScoreTerm(Process, t, Process.Direction * (Process.DiffusionSquared(t) + DiffusionSquared(t)) / 2);
        /// <inheritdoc/>
        public override double DiffusionSquared(double t)
        {
            double s = Sigma(t);
            if (!(s >= 0) || !double.IsFinite(s)) throw new ArgumentException($"sigma({t:R}) must be finite and non-negative, got {s}.", "sigma");
            return s * s;
        }
    }
}

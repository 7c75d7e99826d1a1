using ScoreSpec.Densities;

namespace ScoreSpec.Guidance;

/// <summary>Guidance on scores, noise predictions or velocities (shared/seeds/002, Chapter 9).</summary>
public static class Guide
{
    /// <summary>
    /// Classifier-free guidance: unconditional + w (conditional - unconditional), for any of the linear
    /// parameterizations (score, noise, velocity); w = 1 gives the conditional prediction, w = 0 the unconditional one.
    /// </summary>
    public static double[] ClassifierFree(double[] unconditional, double[] conditional, double weight)
    {
        Guard.FiniteVector(unconditional, unconditional?.Length ?? 0, nameof(unconditional));
        Guard.FiniteVector(conditional, unconditional!.Length, nameof(conditional));
        Guard.Finite(weight, nameof(weight));
        return unconditional.Select((u, i) => u + weight * (conditional[i] - u)).ToArray();
    }
}

/// <summary>
/// A Gaussian mixture whose components carry class labels: the joint law of (x, y) with p(y | x) = sum of the posterior
/// weights of the components labelled y. Carried along a path it gives an exact, analytic classifier p_t(y | x), so
/// classifier guidance can be checked exactly (shared/seeds/003, "Conditional generation via Bayes' rule").
/// </summary>
public sealed record LabeledMixture : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(LabeledMixture? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(LabeledMixture)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Mixture, Labels];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>A mixture with one label per component.</summary>
    public LabeledMixture(GaussianMixture mixture, int[] labels)
    {
        Mixture = mixture ?? throw new ArgumentException("mixture must not be null.", nameof(mixture));
        Guard.NotNull(labels, nameof(labels));
        if (labels.Length != mixture.Components.Length) throw new ArgumentException($"labels must have one entry per component ({mixture.Components.Length}), got {labels.Length}.", nameof(labels));
        Labels = [.. labels];
    }

    /// <summary>The mixture.</summary>
    public GaussianMixture Mixture { get; }
    /// <summary>The label of each component.</summary>
    public System.Collections.Immutable.ImmutableArray<int> Labels { get; }

    private int[] Members(int label)
    {
        var members = Enumerable.Range(0, Labels.Length).Where(k => Labels[k] == label).ToArray();
        if (members.Length == 0) throw new ArgumentException($"label {label} has no component.", nameof(label));
        return members;
    }

    /// <summary>The class-conditional data p(x | y): the components labelled y, reweighted to sum to 1.</summary>
    public GaussianMixture Conditional(int label)
    {
        var members = Members(label);
        double total = members.Sum(k => Mixture.Weights[k]);
        return new GaussianMixture(members.Select(k => Mixture.Weights[k] / total).ToArray(), members.Select(k => Mixture.Components[k]).ToArray());
    }

    /// <summary>
    /// log p_t(y | x) = logsumexp over the components k labelled y of log w_k(x), with w_k the posterior weights of the data
    /// carried along the path. Computed from the log weights, so it stays finite and accurate where p_t(y | x) underflows.
    /// </summary>
    /// <param name="path">The Gaussian path that carries the data.</param>
    /// <param name="t">The time.</param>
    /// <param name="x">The point.</param>
    /// <param name="label">The class y; it must label at least one component.</param>
    public double LogClassProbability(Paths.GaussianPath path, double t, double[] x, int label)
    {
        var members = Members(label);
        var l = Mixture.Along(path, t).Density.LogPosteriorWeights(x);
        return LogSumExp(members, l);
    }

    private static double LogSumExp(int[] members, double[] l)
    {
        double max = members.Max(k => l[k]);
        return max + Math.Log(members.Sum(k => Math.Exp(l[k] - max)));
    }

    /// <summary>
    /// grad_x log p_t(y | x) = sum_{k in y} r_k s_k - sum_k w_k s_k, with w_k the posterior weights, r_k = w_k / p_t(y | x)
    /// the weights within class y (0 outside it) and s_k the component scores of p_t (differentiate log sum_{k in y} w_k
    /// with grad w_k = w_k (s_k - s)). Because sum_k (r_k - w_k) = 0 the library evaluates sum_k (r_k - w_k)(s_k - s_j)
    /// with j the most probable component: far from the data the component scores are large and nearly equal, and the
    /// plain form would lose their common part to cancellation.
    /// </summary>
    /// <param name="path">The Gaussian path that carries the data.</param>
    /// <param name="t">The time.</param>
    /// <param name="x">The point.</param>
    /// <param name="label">The class y; it must label at least one component.</param>
    public double[] ClassifierGradient(Paths.GaussianPath path, double t, double[] x, int label)
    {
        var members = Members(label);
        var m = Mixture.Along(path, t).Density;
        var l = m.LogPosteriorWeights(x);
        double logClass = LogSumExp(members, l);
        int K = l.Length, reference = 0;
        for (int k = 1; k < K; k++) if (l[k] > l[reference]) reference = k;
        var sj = m.Components[reference].Score(x);
        var g = new double[x.Length];
        var inClass = new bool[K];
        foreach (int k in members) inClass[k] = true;
        for (int k = 0; k < K; k++)
        {
            if (k == reference) continue;
            double coefficient = (inClass[k] ? Math.Exp(l[k] - logClass) : 0) - Math.Exp(l[k]);
            if (coefficient == 0) continue;
            var sk = m.Components[k].Score(x);
            for (int i = 0; i < g.Length; i++) g[i] += coefficient * (sk[i] - sj[i]);
        }
        return g;
    }

    /// <summary>Classifier guidance: s(x) + w grad log p_t(y | x), the score of p_t(x) p_t(y | x)^w (shared/seeds/003, "Conditional generation via Bayes' rule").</summary>
    /// <param name="path">The Gaussian path that carries the data.</param>
    /// <param name="t">The time.</param>
    /// <param name="x">The point.</param>
    /// <param name="label">The class y.</param>
    /// <param name="weight">The guidance weight w (1 gives the conditional score, 0 the unconditional one).</param>
    public double[] ClassifierGuidedScore(Paths.GaussianPath path, double t, double[] x, int label, double weight)
    {
        Guard.Finite(weight, nameof(weight));
        var s = Mixture.Along(path, t).Score(x);
        var g = ClassifierGradient(path, t, x, label);
        return s.Select((v, i) => v + weight * g[i]).ToArray();
    }
}

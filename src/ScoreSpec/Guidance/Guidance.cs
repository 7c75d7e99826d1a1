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
public sealed record LabeledMixture
{
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

    /// <summary>log p_t(y | x) = log of the summed posterior weights of the components labelled y, for the data carried along the path.</summary>
    public double LogClassProbability(Paths.GaussianPath path, double t, double[] x, int label)
    {
        var w = Mixture.Along(path, t).PosteriorWeights(x);
        return Math.Log(Members(label).Sum(k => w[k]));
    }

    /// <summary>
    /// grad_x log p_t(y | x) = sum_{k in y} w_k s_k / sum_{k in y} w_k - s, with w_k the posterior weights, s_k the component
    /// scores of p_t and s the mixture score.
    /// </summary>
    public double[] ClassifierGradient(Paths.GaussianPath path, double t, double[] x, int label)
    {
        var m = Mixture.Along(path, t);
        var w = m.PosteriorWeights(x);
        var s = m.Score(x);
        var members = Members(label);
        double total = members.Sum(k => w[k]);
        var g = new double[x.Length];
        foreach (int k in members)
        {
            var sk = m.Density.Components[k].Score(x);
            for (int i = 0; i < g.Length; i++) g[i] += w[k] / total * sk[i];
        }
        for (int i = 0; i < g.Length; i++) g[i] -= s[i];
        return g;
    }

    /// <summary>Classifier guidance: s(x) + w grad log p_t(y | x), the score of p_t(x) p_t(y | x)^w.</summary>
    public double[] ClassifierGuidedScore(Paths.GaussianPath path, double t, double[] x, int label, double weight)
    {
        Guard.Finite(weight, nameof(weight));
        var s = Mixture.Along(path, t).Score(x);
        var g = ClassifierGradient(path, t, x, label);
        return s.Select((v, i) => v + weight * g[i]).ToArray();
    }
}

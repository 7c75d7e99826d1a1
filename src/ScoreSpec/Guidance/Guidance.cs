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

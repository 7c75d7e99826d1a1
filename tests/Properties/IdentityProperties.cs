using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ScoreSpec.Identities;

namespace ScoreSpec.Properties;

/// <summary>
/// Every identity of the catalog as an FsCheck property over the instance seed. The two sides of each identity are
/// computed independently inside the catalog entry (see its ToleranceReason); FsCheck prints the failing seed, and
/// Catalog.Get(id).Check(seed) replays it. Monte Carlo entries fail falsely with probability at most 1e-7 per
/// instance (Catalog.MonteCarloFalseFailure), so at most 1e-5 for the 100 instances of one property run.
/// </summary>
public class IdentityProperties
{
    private static Property Holds(string id, int seed)
    {
        var result = Catalog.Get(id).Check(seed);
        return result.Passed.Label($"{id} seed={seed} residual={result.Residual:G4} tolerance={result.Tolerance:G4} {result.Detail}");
    }

    [Property] public Property ScoreIsGradientOfLogDensity(int seed) => Holds("score.gradient", seed);
    [Property] public Property HessianIsJacobianOfScore(int seed) => Holds("score.hessian", seed);
    [Property] public Property ScoreHasMeanZeroByQuadrature(int seed) => Holds("score.zero-mean.quadrature", seed);
    [Property] public Property FisherIdentityByQuadrature(int seed) => Holds("score.fisher.quadrature", seed);
    [Property(MaxTest = 50)] public Property ScoreHasMeanZeroByMonteCarlo(int seed) => Holds("score.zero-mean.monte-carlo", seed);
    [Property(MaxTest = 50)] public Property FisherIdentityByMonteCarlo(int seed) => Holds("score.fisher.monte-carlo", seed);
    [Property] public Property ConditionalScoreIsMinusNoiseOverSigma(int seed) => Holds("score-noise.conditional", seed);
    [Property] public Property MarginalScoreIsMinusPosteriorNoiseOverSigma(int seed) => Holds("score-noise.marginal", seed);
    [Property(MaxTest = 30)] public Property TweedieEqualsPosteriorMean(int seed) => Holds("tweedie", seed);
    [Property(MaxTest = 50)] public Property PosteriorMeansMatchQuadrature(int seed) => Holds("posterior.quadrature", seed);
    [Property(MaxTest = 30)] public Property NoisePredictionIsThePosteriorMeanOfTheNoise(int seed) => Holds("posterior.consistency", seed);
    [Property] public Property Proposition1Conditional(int seed) => Holds("prop1.conditional", seed);
    [Property] public Property Proposition1Marginal(int seed) => Holds("prop1.marginal", seed);
    [Property] public Property ConversionsRoundTrip(int seed) => Holds("conversions.roundtrip", seed);
    [Property] public Property PathDerivativesMatchFiniteDifferences(int seed) => Holds("path.derivatives", seed);
    [Property] public Property ForwardSdeReproducesPathMoments(int seed) => Holds("sde.moments", seed);
    [Property] public Property ForwardSdeIsSong2021(int seed) => Holds("sde.song2021", seed);
    [Property] public Property ProbabilityFlowDriftIsVelocity(int seed) => Holds("pf-ode.velocity", seed);
    [Property] public Property FarFieldStaysFiniteAndExact(int seed) => Holds("stability.far-field", seed);
    [Property] public Property FastFieldAgreesWithMixtureMarginal(int seed) => Holds("field.consistency", seed);
    [Property(MaxTest = 20)] public Property OdeSolversHaveTheirOrders(int seed) => Holds("ode.orders", seed);
    // The simulation identities below run a few FsCheck instances here; the slow trait's tier and `verify --full` run more.
    [Property(MaxTest = 3)] public Property SdeSolversHaveTheirStrongOrders(int seed) => Holds("sde.strong-orders", seed);
    [Property(MaxTest = 5)] public Property ReverseSdeSamplesTheData(int seed) => Holds("sampler.reverse-sde", seed);
    [Property(MaxTest = 5)] public Property ProbabilityFlowSamplesTheData(int seed) => Holds("sampler.pf-ode", seed);
    [Property(MaxTest = 3)] public Property ProbabilityFlowEncodesAndDecodes(int seed) => Holds("pf-ode.encode-decode", seed);
    [Property(MaxTest = 5)] public Property ExtensionTrickSamplesTheData(int seed) => Holds("sampler.extension", seed);
    [Property(MaxTest = 5)] public Property SamplersProduceTheLawTheirStepsImply(int seed) => Holds("sampler.discrete-law", seed);
    [Property(MaxTest = 1)] public Property EveryRegisteredSamplerSamplesTheData(int seed) => Holds("sampler.registry", seed);
    [Property(MaxTest = 3)] public Property MalaConvergesAndRejectsAtOrderThreeHalves(int seed) => Holds("langevin.mala", seed);
    [Property] public Property OuDensityIsStationary(int seed) => Holds("fp.ou-stationary", seed);
    // Each instance solves the Fokker-Planck equation twice on 1200 cells: 20 instances here; `verify` runs 40.
    [Property(MaxTest = 20)] public Property LangevinLeavesItsTargetStationary(int seed) => Holds("fp.langevin-stationary", seed);
    [Property] public Property PathMarginalsSolveFokkerPlanck(int seed) => Holds("fp.path-marginals", seed);
    [Property] public Property ExtensionTrickSolvesFokkerPlanck(int seed) => Holds("fp.extension", seed);
    [Property(MaxTest = 30)] public Property LaplacianIsDivergenceOfPTimesScore(int seed) => Holds("fp.laplacian", seed);
    [Property(MaxTest = 20)] public Property OdeLikelihoodIsExact(int seed) => Holds("likelihood.exact", seed);
    [Property(MaxTest = 5)] public Property ScoreMatchingIsDsmPlusAConstant(int seed) => Holds("losses.sm-equals-dsm-plus-constant", seed);
    [Property(MaxTest = 5)] public Property FlowMatchingIsCfmPlusAConstant(int seed) => Holds("losses.fm-equals-cfm-plus-constant", seed);
    [Property(MaxTest = 30)] public Property ClassifierGuidanceIsTheTiltedScore(int seed) => Holds("guidance.classifier", seed);
    [Property] public Property EdmPreconditioningDoesWhatItIsDesignedTo(int seed) => Holds("edm.preconditioning", seed);
    [Property] public Property DdpmPosteriorVarianceIsBayes(int seed) => Holds("ddpm.posterior-variance", seed);
    [Property] public Property DdpmPosteriorMeanIsBayes(int seed) => Holds("ddpm.posterior-mean", seed);
    [Property(MaxTest = 3)] public Property DdpmElboTermsEqualTheBoundsDefinition(int seed) => Holds("ddpm.elbo", seed);
    [Property] public Property DdpmElboTermIsTheWeightedNoiseError(int seed) => Holds("ddpm.elbo-weighting", seed);
    [Property(MaxTest = 3)] public Property DdpmElboGapVanishesOnlyWithBeta(int seed) => Holds("ddpm.elbo-gap", seed);
    [Property] public Property MinSnrIsOneObjectiveInEveryParameterisation(int seed) => Holds("losses.min-snr", seed);
    [Property(MaxTest = 2)] public Property PlainLangevinIsTrappedAndAnnealingIsNot(int seed) => Holds("langevin.low-density-trap", seed);
    [Property(MaxTest = 3)] public Property ImplicitAndSlicedScoreMatchingEstimateTheFisherDivergence(int seed) => Holds("losses.implicit-and-sliced", seed);
    [Property(MaxTest = 3)] public Property ExactConsistencyFunctionIsSelfConsistentAndSamples(int seed) => Holds("consistency.exact", seed);
    [Property] public Property NcsnLevelsAreTheVePathAndItsSdesLimit(int seed) => Holds("ncsn.ve-limit", seed);
    [Property(MaxTest = 20)] public Property HutchinsonIsUnbiasedForTheDivergence(int seed) => Holds("likelihood.hutchinson", seed);
    [Property(MaxTest = 30)] public Property ClassifierFreeGuidanceIsTheTiltedScore(int seed) => Holds("guidance.classifier-free", seed);
    [Property(MaxTest = 20)] public Property DdimIsFirstOrder(int seed) => Holds("ddim.first-order", seed);

    [Xunit.Fact]
    public void EveryCatalogEntryHasAProperty()
    {
        var covered = typeof(IdentityProperties).GetMethods()
            .Where(m => m.GetCustomAttributes(typeof(PropertyAttribute), false).Length > 0)
            .Count();
        Xunit.Assert.Equal(Catalog.All.Count, covered);
        Xunit.Assert.Equal(Catalog.All.Count, Catalog.All.Select(i => i.Id).Distinct().Count());
    }
}

// Chapter 8. Training losses (F#).
//
// Denoising score matching regresses a score model on the conditional score -e/sigma_t; the DDPM loss regresses a
// noise model on e; conditional flow matching regresses a velocity model on alphadot z + sigmadot e. Because the
// targets are linear in e and z at fixed x and t, the three are the same regression up to a time-dependent weight:
// |s + e/sigma|^2 = |eps_model - e|^2 / sigma^2 when s = -eps_model/sigma (shared/seeds/002, Chapters 7-8;
// shared/seeds/003, "Score Matching Objective").
// Run: dotnet build src/ScoreSpec -c Release -o docs/.bin -p:CopyLocalLockFileAssemblies=true && dotnet fsi docs/chapters/08-training-losses.fsx
#r "../.bin/MathNet.Numerics.dll"
#r "../.bin/ScoreSpec.dll"

open System
open ScoreSpec.Densities
open ScoreSpec.Paths
open ScoreSpec.Examples

printfn "Chapter 8: training losses\n"
let sq (a: float[]) (b: float[]) = Array.fold2 (fun acc x y -> acc + (x - y) * (x - y)) 0.0 a b

// One sample of each loss on CondOT at t = 0.4, with a deliberately imperfect model.
let p = GaussianPath.CondOt.At 0.4
let z, e = [| 3.0; -1.0 |], [| 0.8; -0.5 |]
let x = p.Mix(z, e)
let epsModel = [| 0.6; -0.3 |]
let scoreModel = p.Convert(Quantity.Noise, Quantity.Score, x, epsModel)
let velocityModel = p.Convert(Quantity.Noise, Quantity.Velocity, x, epsModel)
let ddpm = sq epsModel (p.ConditionalTarget(Quantity.Noise, z, e))
let dsm = sq scoreModel (p.ConditionalTarget(Quantity.Score, z, e))
let cfm = sq velocityModel (p.ConditionalTarget(Quantity.Velocity, z, e))
printfn "DDPM loss %.6f; DSM loss %.6f = DDPM / sigma^2 = %.6f; CFM loss %.6f = DDPM (sigmadot - alphadot sigma/alpha)^2 = %.6f"
    ddpm dsm (ddpm / (p.Sigma * p.Sigma)) cfm (ddpm * Math.Pow(p.SigmaDot - p.AlphaDot * p.Sigma / p.Alpha, 2.0))

// Monte Carlo with common random numbers: the exact marginal score has a smaller denoising loss than a perturbed one
// (an illustration; the loss identities themselves are tested in the library's property tests).
let data = GaussianMixture.Isotropic([| 0.5; 0.5 |], [| [| -2.0; 0.0 |]; [| 2.0; 0.0 |] |], [| 0.7; 0.7 |])
let dsmLoss (perturb: float) =
    let rng = Random 8
    let normal () = MathNet.Numerics.Distributions.Normal.Sample(rng, 0.0, 1.0)
    let t = 0.5
    let pt = GaussianPath.Vp.At t
    let m = data.Along(GaussianPath.Vp, t)
    let n = 40000
    let mutable acc = 0.0
    for _ in 1 .. n do
        let z = data.Sample rng
        let e = [| normal (); normal () |]
        let x = pt.Mix(z, e)
        let s = m.Score x |> Array.map (fun v -> v * (1.0 + perturb))
        acc <- acc + sq s (pt.ConditionalTarget(Quantity.Score, z, e))
    acc / float n
for d in [ 0.0; 0.1; -0.1 ] do
    printfn "VP t = 0.5: denoising score-matching loss with the exact score scaled by %.1f: %.5f" (1.0 + d) (dsmLoss d)

printfn "\nThe chapter's numbers in the source, recomputed:"
for ex in WorkedExamples.All |> Seq.filter (fun ex -> ex.Id.StartsWith "ch7." || ex.Id.StartsWith "ch8.") do
    printfn "  %s: text %s, library %g (%s) %s" ex.Quantity ex.TextValueAsPrinted ex.LibraryValue ex.StatusWord ex.Note

// The DDPM evidence lower bound, term by term (shared/seeds/001 lesson 12; Ho, Jain and Abbeel 2020, eqs. 5 and 12).
// E[-log p_theta(x_0)] <= L_T + sum_t L_{t-1} + L_0. With the exact noise prediction the bound exceeds the data's entropy
// by the prior's KL plus a gap sum_t E KL(q(x_{t-1} | x_t) || p_theta(x_{t-1} | x_t)). The gap depends on the fixed
// reverse variance: with sigma_t^2 = beta_t it falls like 1/T; with the posterior variance beta~_t it does not vanish,
// because near the data end beta~_t / beta_t = (1 - abar_{t-1}) / (1 - abar_t) is about (t - 1) / t while the true reverse
// variance of data with a spread is about beta_t, and sum_t KL of those variances is (1/2) sum_n (1/n - log(1 + 1/n)) =
// gamma / 2 nats per dimension, plus (1 - log 2) / 2 from the clipped decoder at t = 1: 0.442 nats in all
// (catalog identity ddpm.elbo-gap checks the order and that the beta~_t gap stays well above zero).
open ScoreSpec.Discrete
printfn "\nThe DDPM bound on a 1D mixture (nats; Monte Carlo, 4000 draws of x_0):"
let mix1 = GaussianMixture.Isotropic([| 0.3; 0.7 |], [| [| -1.0 |]; [| 1.5 |] |], [| 0.5; 0.3 |])
let entropy =
    [ -12.0, -2.0; -2.0, 3.0; 3.0, 12.0 ]
    |> List.sumBy (fun (a, b) ->
        MathNet.Numerics.Integration.GaussLegendreRule.Integrate((fun x -> let l = mix1.LogDensity [| x |] in -(exp l) * l), a, b, 200))
printfn "data entropy H = %.5f (quadrature)" entropy
let vp = VpPath(0.1, 20.0)
for steps in [ 25; 100; 400 ] do
    let schedule = DdpmSchedule.ExactOfVp(vp, steps)
    for variance in [ DdpmReverseVariance.Beta; DdpmReverseVariance.Posterior ] do
        let model = DdpmReverseModel.Exact(mix1, schedule, variance)
        let est = DdpmElbo.Estimate(mix1, model, 4000, 1UL)
        printfn "T = %4d %-9A bound %.4f +- %.4f: L_T %.3g, sum L_{t-1} %.4f, L_0 %.4f; bound - H = %.4f"
            steps variance est.Total est.StandardError est.Prior (Seq.sum est.Transitions) est.Decoder (est.Total - entropy)

// One draw: L_{t-1} of a model minus that of the oracle that predicts the true noise is lambda_t |e - e_theta|^2, so the
// simplified loss |e - e_theta|^2 is the bound with the weight lambda_t dropped.
let schedule100 = DdpmSchedule.ExactOfVp(vp, 100)
let exactModel = DdpmReverseModel.Exact(mix1, schedule100, DdpmReverseVariance.Beta)
let biased = DdpmReverseModel(schedule100, (fun t x -> exactModel.NoisePrediction.Invoke(t, x) |> Array.map (fun v -> v + 0.2)), DdpmReverseVariance.Beta)
let t50, x0, eps = 50, [| 1.2 |], [| -0.4 |]
let xt = [| sqrt schedule100.AlphaBars.[t50 - 1] * x0.[0] + sqrt schedule100.OneMinusAlphaBars.[t50 - 1] * eps.[0] |]
let oracle = DdpmReverseModel(schedule100, (fun _ _ -> eps), DdpmReverseVariance.Beta)
let term = DdpmElbo.TransitionTerm(biased, t50, x0, xt) - DdpmElbo.TransitionTerm(oracle, t50, x0, xt)
let err = biased.NoisePrediction.Invoke(t50, xt).[0] - eps.[0]
printfn "t = 50: L_{t-1}(model) - L_{t-1}(oracle) = %.10f, lambda_t |e - e_theta|^2 = %.10f (lambda_t = %.5f)"
    term (DdpmElbo.NoiseWeight(biased, t50) * err * err) (DdpmElbo.NoiseWeight(biased, t50))

// Min-SNR-gamma weighting (Hang et al. 2023; shared/seeds/002 Ch. 8 names it). A weighting is a function of the noise
// level stated on the clean-data error |z - z^|^2: min(SNR_t, gamma). The same objective in another parameterisation
// divides by the factor c_t^2 with which a clean-data error shows in that prediction (PathPoint.CleanErrorFactor): SNR_t for
// the noise, SNR_t + 1 for the v-prediction on variance-preserving paths. Catalog identity losses.min-snr checks it.
open ScoreSpec.Losses
printfn "\nMin-SNR-5 weights on vp (by parameterisation of the loss):"
for t in [ 0.1; 0.3; 0.5; 0.7; 0.9 ] do
    let w q = (TrainingLosses.MinSnrWeight(GaussianPath.Vp, 5.0, q)).Invoke t
    printfn "t = %.1f SNR %9.4f: denoiser %.4f, noise %.4f, v-prediction %.4f" t (GaussianPath.Vp.Snr t)
        (w Quantity.Denoiser) (w Quantity.Noise) (w Quantity.VPrediction)

// Implicit and sliced score matching (Hyvarinen 2005; Song et al. 2019; shared/seeds/004's table of objectives) need no
// target: E[|s|^2 + 2 div s] is score matching minus the Fisher information, and one random projection v . J v replaces
// the divergence without bias. What they cost is variance. Per-draw standard deviations for the exact score of a 2D
// mixture on vp at fixed t (20000 draws; catalog identity losses.implicit-and-sliced checks the means):
open ScoreSpec.Likelihood
let mix2 = GaussianMixture.Isotropic([| 0.5; 0.5 |], [| [| -2.0; 0.0 |]; [| 2.0; 0.0 |] |], [| 0.7; 0.7 |])
let vpPath = GaussianPath.Vp
let exactScore = Func<float, float[], float[]>(fun t x -> mix2.Along(vpPath, t).Score x)
let divergence = Func<float, float[], float>(fun t x -> let h = mix2.Along(vpPath, t).Hessian x in h.[0, 0] + h.[1, 1])
let jv = Func<float, float[], float[], float[]>(fun t x v ->
    let h = mix2.Along(vpPath, t).Hessian x
    [| h.[0, 0] * v.[0] + h.[0, 1] * v.[1]; h.[1, 0] * v.[0] + h.[1, 1] * v.[1] |])
printfn "\nPer-draw standard deviation of each estimator, exact score, vp, 2D mixture:"
for t in [ 0.02; 0.1; 0.3; 0.6; 0.9 ] do
    let sd (e: ScoreSpec.Losses.LossEstimate) = e.StandardError * sqrt (float e.Samples)
    let dsm = TrainingLosses.DenoisingScoreMatching(mix2, vpPath, exactScore, samples = 20000, seed = 3UL, tMin = t, tMax = t)
    let ism = TrainingLosses.ImplicitScoreMatching(mix2, vpPath, exactScore, divergence, samples = 20000, seed = 3UL, tMin = t, tMax = t)
    let ssm = TrainingLosses.SlicedScoreMatching(mix2, vpPath, exactScore, jv, samples = 20000, seed = 3UL, tMin = t, tMax = t)
    let vr = TrainingLosses.SlicedScoreMatching(mix2, vpPath, exactScore, jv, DivergenceMethod.HutchinsonRademacher, true, samples = 20000, seed = 3UL, tMin = t, tMax = t)
    printfn "t = %.2f sigma_t = %.3f: DSM %9.3f  implicit %9.3f  sliced %9.3f  sliced (variance-reduced) %9.3f" t (vpPath.Sigma t) (sd dsm) (sd ism) (sd ssm) (sd vr)

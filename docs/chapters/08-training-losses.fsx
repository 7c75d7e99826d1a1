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

module ConsumerTests

open System
open System.Collections.Immutable
open System.IO
open Xunit
open ScoreSpec.Densities
open ScoreSpec.Paths
open ScoreSpec.Identities

let private repoFile name =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then failwith "ScoreSpec.sln not found above the test binaries"
        elif File.Exists(Path.Combine(dir.FullName, "ScoreSpec.sln")) then Path.Combine(dir.FullName, name)
        else up dir.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

let private trimmed (lines: string seq) = lines |> Seq.map (fun l -> l.Trim()) |> Seq.filter (fun l -> l <> "") |> Array.ofSeq

[<Fact>]
let ``README shows the compiled F# example`` () =
    let readme = File.ReadAllLines(repoFile "README.md")
    let start = readme |> Array.findIndex (fun l -> l.Trim() = "```fsharp")
    let stop = readme |> Array.findIndexBack (fun l -> l.Trim() = "```")
    let block = readme.[start + 1 ..] |> Array.takeWhile (fun l -> l.Trim() <> "```") |> trimmed
    let source = File.ReadAllLines(repoFile "tests/FSharpConsumer/ReadmeExample.fs")
    let b = source |> Array.findIndex (fun l -> l.Trim() = "// BEGIN README")
    let e = source |> Array.findIndex (fun l -> l.Trim() = "// END README")
    Assert.True(stop > start)
    Assert.Equal<string[]>(trimmed source.[b + 1 .. e - 1], block)

[<Fact>]
let ``F# example computes the CondOT score`` () =
    // Proposition 1 from F#: the velocity equals a_t score + b_t x.
    let x = [| 0.1; -0.3 |]
    let u = ReadmeExample.pt.Velocity x
    let viaScore = ReadmeExample.pt.Point.VelocityFromScore(x, ReadmeExample.score)
    Array.iter2 (fun (a: float) (b: float) -> Assert.Equal(a, b, 12)) u viaScore

[<Fact>]
let ``paths, conversions and the catalog are usable without ceremony`` () =
    for path in GaussianPath.All do
        let p = path.At 0.3
        let z, e = [| 1.0; -2.0 |], [| 0.5; 0.25 |]
        let x = p.Mix(z, e)
        let s = p.ConditionalTarget(Quantity.Score, z, e)
        let back = p.Convert(Quantity.Score, Quantity.Noise, x, s)
        Array.iter2 (fun (a: float) (b: float) -> Assert.Equal(a, b, 12)) e back
    let report = Catalog.Run(Catalog.Get "tweedie", 1UL, 3)
    Assert.True(report.Passed, report.Worst.Detail)

[<Fact>]
let ``bad input raises ArgumentException naming the parameter`` () =
    let ex = Assert.ThrowsAny<ArgumentException>(fun () -> GaussianPath.Vp.Alpha 1.5 |> ignore)
    Assert.Equal("t", ex.ParamName)

open ScoreSpec.Processes
open ScoreSpec.Sampling
open ScoreSpec.Solvers
open ScoreSpec.Likelihood

[<Fact>]
let ``a sampler runs on any grid, its trajectory recorded, and the unions match exhaustively`` () =
    let data = GaussianMixture.Isotropic([| 0.5; 0.5 |], [| [| -1.0 |]; [| 1.0 |] |], [| 0.4; 0.4 |])
    let path = GaussianPath.Vp
    let grid = TimeGrid.Karras(0.99, 0.01, 20, 7.0)
    let run = Samplers.RunFromExactMarginal(data, path, Sampler.ReverseSde(), grid, 500, seed = 3UL, recordEvery = 5)
    Assert.Equal(500, run.Final.Count)
    Assert.Equal(5, run.Trajectory.Count)
    Assert.Equal(run.Final, run.Trajectory.States.[run.Trajectory.Count - 1])
    // Both halves of the mixture are reached.
    let xs = run.Final.Column 0
    Assert.True(xs |> Array.exists (fun x -> x < -0.5) && xs |> Array.exists (fun x -> x > 0.5))
    let describe (s: Sampler) =
        match s with
        | :? Sampler.ReverseSde -> "reverse"
        | :? Sampler.ProbabilityFlow as pf -> sprintf "pf %A" pf.Method
        | _ -> "other"
    Assert.Equal("pf Heun", describe (Sampler.ProbabilityFlow(OdeMethod.Heun)))
    // Match takes one function per case: leaving a case out does not compile.
    let describeGrid (g: TimeGrid) =
        g.Match((fun u -> sprintf "uniform %d" u.Steps), (fun k -> sprintf "karras rho=%g" k.Rho),
                (fun l -> sprintf "log-snr %d" l.Steps), (fun e -> sprintf "explicit %d" e.Points.Length))
    Assert.Equal("karras rho=7", describeGrid grid)
    Assert.Equal("explicit 3", describeGrid (TimeGrid.Explicit [ 0.9; 0.5; 0.1 ]))
    // F# has no `with` for C# records; the records have With methods with optional named arguments.
    let coarser = grid.With(steps = 10)
    Assert.Equal(11, (coarser.Times path).Length)
    Assert.Equal<TimeGrid>(grid, coarser.With(steps = 20))
    Assert.Equal(0.5, (grid.With(``end`` = 0.5)).End)
    Assert.Contains("Rho = 7", sprintf "%A" grid)
    let pc = Sampler.PredictorCorrector().With(snr = 0.1)
    Assert.Equal<Sampler>(Sampler.PredictorCorrector(0.1, 1, PcVariant.ScoreSde), pc)
    Assert.Equal(30.0, (GaussianPath.Vp.With(betaMax = 30.0)).BetaMax)

[<Fact>]
let ``an SDE value, a solver and a likelihood from F#`` () =
    let path = GaussianPath.CondOt
    let data = GaussianMixture.Isotropic([| 1.0 |], [| [| 0.5 |] |], [| 0.3 |])
    let score = Samplers.ExactScore(MarginalField(data, path))
    let flow = (Sde.Forward path).ProbabilityFlow score
    let x1 = Ode.Solve(OdeProblem(flow.DriftField, ImmutableArray.Create 0.2, 0.05, 0.95), OdeAlgorithm.DormandPrince(1e-9, 1e-9)).Final
    Assert.True(Double.IsFinite x1.[0])
    // Along condot's flow, a Gaussian stays Gaussian: the likelihood equals the exact log density.
    let r = ProbabilityFlowLikelihood.LogLikelihood(data, path, [| 0.4 |])
    Assert.Equal(r.ReferenceLogDensity, r.LogDensity, 5)
    let ou = Sde.OrnsteinUhlenbeck(1.0, 0.5)
    Assert.Equal(-0.3, (ou.DriftAt(0.0, [| 0.3 |])).[0], 14)
    let name (p: Sde) =
        p.Match((fun f -> "forward " + f.Path.Kind), (fun _ -> "ou"), (fun _ -> "bm"), (fun _ -> "langevin"),
                (fun _ -> "reverse"), (fun _ -> "flow"), (fun _ -> "extension"))
    Assert.Equal("flow", name flow)
    Assert.Equal("forward condot", name (Sde.Forward path))
    Assert.Equal("ou", name ou)
    let tight = LikelihoodOptions().With(rtol = 1e-10, atol = 1e-10)
    Assert.Equal(LikelihoodOptions(Rtol = 1e-10, Atol = 1e-10), tight)
    let r2 = ProbabilityFlowLikelihood.LogLikelihood(data, path, [| 0.4 |], tight)
    Assert.Equal(r2.ReferenceLogDensity, r2.LogDensity, 7)
    Assert.Equal(1e-12, (OdeAlgorithm.DormandPrince().With(rtol = 1e-12)).Rtol)

module ConsumerTests

open System
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
    let report = Catalog.Run(Catalog.Get "tweedie", 1, 3)
    Assert.True(report.Passed, report.Worst.Detail)

[<Fact>]
let ``bad input raises ArgumentException naming the parameter`` () =
    let ex = Assert.ThrowsAny<ArgumentException>(fun () -> GaussianPath.Vp.Alpha 1.5 |> ignore)
    Assert.Equal("t", ex.ParamName)

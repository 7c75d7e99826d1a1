module ReadmeExample

// BEGIN README
open ScoreSpec.Densities
open ScoreSpec.Paths
let data = GaussianMixture.Isotropic([| 0.5; 0.5 |], [| [| -2.0; 0.0 |]; [| 2.0; 0.0 |] |], [| 0.7; 0.7 |])
let pt = data.Along(GaussianPath.CondOt, 0.5)
let score = pt.Score [| 0.1; -0.3 |]
// END README

#:project ../../src/ScoreSpec.Plots/ScoreSpec.Plots.csproj
// Chapter 4. Forward SDEs and the DDPM chain.
//
// Every Gaussian path is the marginal law of a linear SDE dx = F(t) x dt + g(t) dW started from the data, with
// F = alphadot/alpha and g^2 = |d sigma^2/dt - 2 F sigma^2|. For the VP path this is Song et al.'s
// dx = -beta(t) x/2 dt + sqrt(beta(t)) dW, and the DDPM chain x_i = sqrt(1 - beta_i) x_{i-1} + sqrt(beta_i) e with
// beta_i = beta(t_i)/T is its Euler-Maruyama discretisation: its cumulative product alpha-bar approaches alpha_t^2
// as T grows (shared/seeds/003, "From Discrete to Continuous", the SDE table; shared/seeds/001).
// Run: dotnet run docs/chapters/04-forward-sdes.cs
using ScoreSpec.Identities;
using ScoreSpec.Paths;

Console.WriteLine("Chapter 4: forward SDEs\n");
foreach (var path in GaussianPath.All)
{
    var sde = path.ForwardSde;
    Console.WriteLine($"{path,-40} direction {sde.Direction,2}: F(0.5) = {path.LogAlphaDot(0.5),9:G5}, g(0.5) = {sde.Diffusion(0.5),9:G5}");
}
var (f, g) = Song2021.Vp(0.1, 20, 0.5);
Console.WriteLine($"\nSong et al. VP SDE at t = 0.5 written out: drift coefficient {f:G6}, diffusion {g:G6}");

Console.WriteLine("\nThe DDPM chain as a discretisation of the VP SDE: alpha-bar at t = 0.5 against alpha_t^2:");
var vp = GaussianPath.Vp;
double exact = Math.Pow(vp.Alpha(0.5), 2);
double previous = double.NaN;
foreach (int T in new[] { 40, 400, 4000, 40000 }) // T >= 40 keeps beta_max / T below 1
{
    double alphaBar = ScoreSpec.Discrete.DdpmSchedule.EulerOfVp(vp, T).AlphaBars[T / 2 - 1];
    double err = Math.Abs(alphaBar - exact);
    Console.WriteLine($"  T = {T,6}: alpha-bar = {alphaBar:G8}, alpha^2 = {exact:G8}, error {err:G3}{(double.IsNaN(previous) ? "" : $" (ratio {previous / err:F2} per tenfold T)")}");
    previous = err;
}

Console.WriteLine("\nIdentities:");
foreach (var id in new[] { "sde.moments", "sde.song2021", "path.derivatives" })
{
    var r = Catalog.Run(Catalog.Get(id), 1, 10);
    Console.WriteLine($"  {id}: worst {r.Worst.Residual:G3} / {r.Worst.Tolerance:G3} {(r.Passed ? "holds" : "FAILS")}");
}

#!/usr/bin/env bash
# Mutation testing with Stryker.NET (a local tool: dotnet-tools.json pins dotnet-stryker 5.1.0) on the core folders of
# src/ScoreSpec, at mutation level Advanced, against the mutation tier of tests/Properties.
#
#   bash tools/mutation.sh                      # every core folder, one Stryker run per folder
#   bash tools/mutation.sh Statistics Discrete  # the named folders only
#   STRYKER_COVERAGE=off STRYKER_FILTER='...' bash tools/mutation.sh Sampling
#       every mutant against every selected test, without per-test coverage (Stryker did not attribute the sampler
#       tests' coverage); STRYKER_FILTER narrows the tests, since each mutant then runs all of them
#
# The mutation tier is a fast subset of tests/Properties: the catalog on fixed seeds (MutationTier), the precision
# references, the pinned statistics, the negative controls and the unit tests of each folder. Stryker's instrumented
# build runs numerical code several times slower, and with per-test coverage a mutant in a path or a density would
# otherwise rerun every sampler ensemble and FsCheck property that touches it. A mutant that survives this tier may
# still be killed by the tests left out, so the score is a lower bound. Reports go to mutation/<folders>/ (one Stryker run for all the named folders).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then folders=(Statistics Discrete Likelihood Solvers Paths Densities Sampling Processes); fi
# One Stryker run for all the named folders: its coverage pass (the whole tier, instrumented) is paid once.
mutate=(); for folder in "${folders[@]}"; do mutate+=(--mutate "**/src/ScoreSpec/$folder/**/*.cs"); done
name=$(IFS=-; echo "${folders[*]}")
tier=(MutationTier Precision StatisticsPinned NegativeControls DdpmTests FokkerPlanckTests FokkerPlanckGenericTests SolverOrders
      LikelihoodTests Sensitivity Validation ErrataTests MixtureCdfTests FastFieldValidation LossAndGuidanceTests EdgesFoundByMutation
      DormandPrinceController SolversEdges SamplerReferences DensitiesEdges LikelihoodForModels ProcessValues TimeGrids LogSnrInverse Trajectories SamplingEdges EnsembleValues RecordValues CopiesAndMatches SamplerOrders EdmPreconditioningTests BrownianTreeTests SamplerBenchmarkPage)
# Left out of those classes: the tests that run 20000-path ensembles for hundreds of steps (minutes each when instrumented),
# and (since 2026-11-25, when a Solvers run spent over 35 minutes in Stryker's coverage pass) the benchmark page, which
# recomputes both sampler benchmarks, and UniPC's nine order fits (its update stays pinned by SamplerReferences); and
# (2026-11-25, when the next Solvers run spent 24 minutes there in the coverage pass) the registry check's negative
# control: its three Brownian-tree samplers take 32 s in a plain build, and every tree query is instrumented when Solvers
# is mutated. SamplerReferences pins every sampler's update step by step instead.
heavy=(DdimWithEtaOneOnVpMatchesTheMarginals SamplerMarginalChecksCatchSlips MalaCatchesAWrongScoreAndAWrongTarget
       AgreesWithForwardSdeEnsembles WeakOrderOneForEulerMaruyama TheExactPredictionsMinimiseTheirLosses
       ThePageShowsTheMeasuredTables UniPcHasTheOrderOfEachSetting TheRegistryCheckCatchesEverySamplerWithAScaledScore)
filter=$(printf 'FullyQualifiedName~ScoreSpec.Properties.%s|' "${tier[@]}"); filter="(${filter%|})"
filter="$filter$(printf '&FullyQualifiedName!~%s' "${heavy[@]}")"
# STRYKER_FILTER replaces the tier (with coverage off every mutant runs every selected test, so narrow it).
filter="${STRYKER_FILTER:-$filter}"
out="$PWD/mutation/$name"
rm -rf "$out"; mkdir -p "$out"
start=$(date +%s)
config=()
if [ "${STRYKER_COVERAGE:-perTest}" != "perTest" ]; then
  # The 5.1 command line has no coverage option; it goes in a configuration file.
  printf '{ "stryker-config": { "coverage-analysis": "%s" } }\n' "$STRYKER_COVERAGE" > "$out/stryker-config.json"
  config=(--config-file "$out/stryker-config.json")
fi
(cd tests/Properties && dotnet stryker "${config[@]}" --project ScoreSpec.csproj --configuration Release "${mutate[@]}" --mutation-level Advanced \
    --test-case-filter "$filter" --concurrency "${STRYKER_CONCURRENCY:-2}" \
    --reporter json --reporter markdown --reporter html --reporter progress \
    --output "$out" --skip-version-check) > "$out/stryker.log" 2>&1 || true
grep -E "mutation score|Killed|Survived|Timeout|ERR" "$out/stryker.log" | tail -20 || true
echo "${folders[*]}: $(( $(date +%s) - start )) s" | tee -a "$out/stryker.log"

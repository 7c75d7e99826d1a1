#!/usr/bin/env bash
# Mutation testing with Stryker.NET (a local tool: dotnet-tools.json pins dotnet-stryker 5.1.0) on the core folders of
# src/ScoreSpec, at mutation level Advanced, against the mutation tier of tests/Properties.
#
#   bash tools/mutation.sh                      # every core folder, one Stryker run per folder
#   bash tools/mutation.sh Statistics Discrete  # the named folders only
#
# The mutation tier is a fast subset of tests/Properties: the catalog on fixed seeds (MutationTier), the precision
# references, the pinned statistics, the negative controls and the unit tests of each folder. Stryker's instrumented
# build runs numerical code several times slower, and with per-test coverage a mutant in a path or a density would
# otherwise rerun every sampler ensemble and FsCheck property that touches it. A mutant that survives this tier may
# still be killed by the tests left out, so the score is a lower bound. Reports go to mutation/<folder>/.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then folders=(Statistics Discrete Likelihood Solvers Paths Densities Sampling); fi
tier=(MutationTier Precision StatisticsPinned NegativeControls DdpmTests FokkerPlanckTests FokkerPlanckGenericTests SolverOrders
      LikelihoodTests Sensitivity Validation ErrataTests MixtureCdfTests FastFieldValidation LossAndGuidanceTests)
filter=$(printf 'FullyQualifiedName~ScoreSpec.Properties.%s|' "${tier[@]}"); filter="${filter%|}"
for folder in "${folders[@]}"; do
  out="$PWD/mutation/$folder"
  rm -rf "$out"; mkdir -p "$out"
  start=$(date +%s)
  (cd tests/Properties && dotnet stryker --project ScoreSpec.csproj --configuration Release \
      --mutate "**/src/ScoreSpec/$folder/**/*.cs" --mutation-level Advanced \
      --test-case-filter "$filter" --concurrency "${STRYKER_CONCURRENCY:-2}" \
      --reporter json --reporter markdown --reporter html --reporter progress \
      --output "$out" --skip-version-check) | tee "$out/stryker.log" | grep -E "score|Killed|Survived|Timeout|No coverage|ERR|error" || true
  echo "$folder: $(( $(date +%s) - start )) s" | tee -a "$out/stryker.log"
done

#!/usr/bin/env bash
# The one-line install, checked from the working tree: pack the solution, install the `scorespec` tool from the packed
# folder into a temporary tool path, and run it. Prints "install check: ok" or "install check: FAILED (reason)".
#
#   bash tools/install-check.sh
#
# Checks: dotnet pack makes ScoreSpec.Core, ScoreSpec.Plots (each with a .snupkg of symbols) and the scorespec tool;
# a second build of the library gives the same bytes as the packed one (deterministic builds);
# every package carries LICENSE and README.md and the MIT expression; the tool package is below 40 MB and ships no
# native debug symbols; `dotnet tool install --tool-path T --add-source DIR scorespec` installs it; `T/scorespec --help`
# names scorespec; `T/scorespec verify --quick` passes; `T/scorespec plot score-field` draws with the shipped natives.
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "install check: FAILED ($1)"; exit 1; }
# Package listings and the nuspec, with unzip or, where it is missing, Python's zipfile.
names() { if command -v unzip > /dev/null; then unzip -Z1 "$1"; else python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; fi; }
nuspec() { python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read(next(n for n in z.namelist() if n.endswith(".nuspec"))).decode("utf-8-sig"))' "$1" 2> /dev/null \
  || unzip -p "$1" '*.nuspec'; }

dotnet pack ScoreSpec.sln -c Release -p:ContinuousIntegrationBuild=true -o "$work/packages" > "$work/pack.log" 2>&1 || { tail -20 "$work/pack.log"; fail "dotnet pack"; }
tool=$(ls "$work"/packages/scorespec.*.nupkg 2>/dev/null | head -n 1)
[ -n "$tool" ] || fail "no scorespec tool package"
version=$(basename "$tool" .nupkg); version=${version#scorespec.}
for id in ScoreSpec.Core ScoreSpec.Plots; do
  [ -f "$work/packages/$id.$version.nupkg" ] || fail "no $id.$version.nupkg"
  [ -f "$work/packages/$id.$version.snupkg" ] || fail "no symbols package $id.$version.snupkg"
  # The listing is taken whole before grep reads it: with pipefail, `names | grep -q` fails whenever grep stops reading
  # first and the lister gets SIGPIPE (it did once under load, reporting a pdb missing that was there).
  symbols=$(names "$work/packages/$id.$version.snupkg")
  grep -q '\.pdb$' <<< "$symbols" || fail "$id.$version.snupkg has no pdb"
done
for pkg in "$work"/packages/*.nupkg; do
  listing=$(names "$pkg")
  grep -qx 'LICENSE' <<< "$listing" || fail "$(basename "$pkg") has no LICENSE"
  grep -qx 'README.md' <<< "$listing" || fail "$(basename "$pkg") has no README.md"
  spec=$(nuspec "$pkg")
  grep -q '<license type="expression">MIT</license>' <<< "$spec" || fail "$(basename "$pkg") has no MIT expression"
  grep -q '<description>Package Description</description>' <<< "$spec" && fail "$(basename "$pkg") has the default description"
done
# Deterministic builds: the library in the package is byte for byte the one a second, separate build makes.
mkdir -p "$work/unpacked" "$work/rebuild"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("lib/net10.0/ScoreSpec.dll", sys.argv[2])' \
  "$work/packages/ScoreSpec.Core.$version.nupkg" "$work/unpacked" 2> /dev/null \
  || (cd "$work/unpacked" && unzip -q "$work/packages/ScoreSpec.Core.$version.nupkg" lib/net10.0/ScoreSpec.dll)
dotnet build src/ScoreSpec -c Release -p:ContinuousIntegrationBuild=true -o "$work/rebuild" --no-incremental > "$work/rebuild.log" 2>&1 || fail "the second build"
cmp -s "$work/unpacked/lib/net10.0/ScoreSpec.dll" "$work/rebuild/ScoreSpec.dll" || fail "the library is not reproducible: two builds differ"

bytes=$(stat -c %s "$tool")
[ "$bytes" -lt 40000000 ] || fail "the tool package weighs $bytes bytes (limit 40 MB)"
tool_listing=$(names "$tool")
grep -q 'runtimes/.*\.pdb$' <<< "$tool_listing" && fail "the tool package ships native debug symbols"

# --version pins the freshly packed build (a package of the same id on another source must not win); --prerelease is
# implied by the exact version.
dotnet tool install --tool-path "$work/tools" --add-source "$work/packages" scorespec --version "$version" > "$work/install.log" 2>&1 \
  || { cat "$work/install.log"; fail "dotnet tool install"; }
help=$("$work/tools/scorespec" --help) || fail "scorespec --help"
grep -q 'scorespec \[command\]' <<< "$help" || fail "--help does not name scorespec"
"$work/tools/scorespec" verify --quick > "$work/verify.log" 2>&1 || { tail -20 "$work/verify.log"; fail "scorespec verify --quick"; }
"$work/tools/scorespec" plot score-field --out "$work/figures" > /dev/null 2>&1 || fail "scorespec plot"
[ -s "$work/figures/score-field.png" ] || fail "scorespec plot drew no PNG"
echo "install check: ok (tool package $((bytes / 1000000)) MB, version $version)"

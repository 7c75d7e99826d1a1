#!/usr/bin/env bash
# Runs every chapter of the textbook from the repository root, drawing figures into docs/figures.
# Prints one line per chapter ("chapter NAME: ok" or "chapter NAME: FAILED") and exits 1 if any failed.
set -u
cd "$(dirname "$0")/.."
mkdir -p docs/figures
status=0
dotnet build src/ScoreSpec -c Release -o docs/.bin -p:CopyLocalLockFileAssemblies=true > /dev/null || status=1
for chapter in docs/chapters/*.cs docs/chapters/*.fsx; do
  name=$(basename "$chapter")
  log=$(mktemp)
  case "$chapter" in
    *.cs) dotnet run "$chapter" > "$log" 2>&1 ;;
    *.fsx) dotnet fsi "$chapter" > "$log" 2>&1 ;;
  esac
  if [ $? -eq 0 ]; then echo "chapter $name: ok"; else echo "chapter $name: FAILED"; tail -20 "$log"; status=1; fi
  rm -f "$log"
done
exit $status

#!/usr/bin/env python3
"""Summarises a Stryker.NET JSON report per folder of src/ScoreSpec: killed, survived, timeout, no coverage, ignored,
the mutation score (killed + timeout) / (killed + timeout + survived + no coverage), and each survivor with its line.

Usage: python3 tools/mutation-summary.py mutation/<run>/reports/mutation-report.json [--survivors]
"""
import collections
import json
import sys


def main():
    path = sys.argv[1]
    show = "--survivors" in sys.argv
    report = json.load(open(path, encoding="utf-8"))
    per = collections.defaultdict(collections.Counter)
    survivors = []
    for name, f in report["files"].items():
        norm = name.replace("\\", "/")
        folder = norm.split("src/ScoreSpec/")[-1].split("/")[0]
        lines = f.get("source", "").splitlines()
        for m in f["mutants"]:
            status = m["status"]
            per[folder][status] += 1
            if status in ("Survived", "NoCoverage"):
                line = m["location"]["start"]["line"]
                text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
                survivors.append((folder, norm.split("src/ScoreSpec/")[-1], line, status, m["mutatorName"], m.get("replacement", ""), text))
    print("| folder | killed | timeout | survived | no coverage | ignored | compile errors | score |")
    print("|---|---|---|---|---|---|---|---|")
    total = collections.Counter()
    for folder in sorted(per):
        c = per[folder]
        total.update(c)
        detected = c["Killed"] + c["Timeout"]
        valid = detected + c["Survived"] + c["NoCoverage"]
        score = 100.0 * detected / valid if valid else float("nan")
        print(f"| {folder} | {c['Killed']} | {c['Timeout']} | {c['Survived']} | {c['NoCoverage']} | {c['Ignored']} | {c['CompileError']} | {score:.1f} % |")
    detected = total["Killed"] + total["Timeout"]
    valid = detected + total["Survived"] + total["NoCoverage"]
    if valid:
        print(f"| all | {total['Killed']} | {total['Timeout']} | {total['Survived']} | {total['NoCoverage']} | {total['Ignored']} | {total['CompileError']} | {100.0 * detected / valid:.1f} % |")
    if show:
        print()
        for folder, file, line, status, mutator, replacement, text in sorted(survivors):
            print(f"{file}:{line} [{status}] {mutator}: {replacement!r}  <-  {text}")


if __name__ == "__main__":
    main()

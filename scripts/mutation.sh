#!/usr/bin/env bash
# Mutation testing of the evidence modules: mutmut changes one thing at a time (a comparison, a constant, a
# dropped line) and runs the fast tests that reach that code; a mutant no test notices is a gap in the tests.
# Which modules and which tests: [tool.mutmut] in pyproject.toml (no servers, no site builds).
# Prints the surviving mutants, then the score per module and in all. One process, at low priority.
#   bash scripts/mutation.sh              # about 10 minutes on 2 cores
#   .venv/bin/mutmut show NAME            # the diff of one surviving mutant
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf mutants  # a fresh copy each time: results cached from other code or tests would mislead
start=$(date +%s)
nice -n 10 .venv/bin/mutmut run --max-children 1 >mutants.log 2>&1 || { tail -40 mutants.log; exit 1; }
.venv/bin/mutmut results --all true >mutants.results 2>/dev/null
.venv/bin/python - "$(( $(date +%s) - start ))" <<'PY'
import collections, re, sys
KILLED = {"killed", "timeout", "segfault"}
by_module = collections.defaultdict(collections.Counter)
survivors = []
for line in open("mutants.results"):
    name, _, status = line.strip().rpartition(": ")
    if not name:
        continue
    module = re.match(r"(.*?)\.x[_ǁ]", name).group(1)
    by_module[module][status] += 1
    if status not in KILLED:
        survivors.append(f"  {name}: {status}")
print("not killed (.venv/bin/mutmut show NAME shows the change):")
print("\n".join(survivors) or "  none")
print(f"\n{'module':34} killed survived no-tests score")
total = collections.Counter()
for module, counts in sorted(by_module.items()):
    total.update(counts)
    killed = sum(counts[s] for s in KILLED)
    judged = sum(counts.values()) - counts["skipped"]
    print(f"{module:34} {killed:6} {counts['survived']:8} {counts['no tests']:8} {100 * killed / max(judged, 1):5.1f}%")
killed = sum(total[s] for s in KILLED)
judged = sum(total.values()) - total["skipped"]
print(" ".join(f"{k}={v}" for k, v in sorted(total.items())))
print(f"mutation score: {killed}/{judged} killed = {100 * killed / max(judged, 1):.1f}% in {sys.argv[1]} s")
PY

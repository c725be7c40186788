#!/usr/bin/env bash
# A/B of the compiled prediction path between two commits: builds bench/PlanProbe at each (git worktrees in a
# temporary folder) and runs the two builds interleaved, ROUNDS times, on the presets given.
#   bench/plan_ab.sh BEFORE AFTER [ROUNDS] [preset ...]     e.g. bench/plan_ab.sh fb30275 d6d51b6 2 mini-xception vgg-small
# Run it on a quiet machine: the two builds share the same minutes, so drift between runs cancels out, load does not.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
before=$1 after=$2 rounds=${3:-2}; shift $(( $# < 3 ? $# : 3 ))
tmp=$(mktemp -d); trap 'git -C "$root" worktree remove --force "$tmp/a" >/dev/null 2>&1 || true; git -C "$root" worktree remove --force "$tmp/b" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
for side in a:"$before" b:"$after"; do
  dir=$tmp/${side%%:*} rev=${side#*:}
  git -C "$root" worktree add --detach "$dir" "$rev" >/dev/null
  cp -r "$root/bench/PlanProbe" "$dir/bench/" # the probe as it is now, against the library as it was at $rev
  dotnet build "$dir/bench/PlanProbe" -c Release -nologo -v q >/dev/null
done
for ((i = 1; i <= rounds; i++)); do
  echo "round $i, before ($before):"; dotnet "$tmp/a/bench/PlanProbe/bin/Release/net10.0/PlanProbe.dll" "$@"
  echo "round $i, after ($after):";  dotnet "$tmp/b/bench/PlanProbe/bin/Release/net10.0/PlanProbe.dll" "$@"
done

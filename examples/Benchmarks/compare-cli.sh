#!/bin/bash
# The CLI of this checkout against the CLI of earlier commits on the same job, alternating, each CLI's own per-epoch
# rows/s (the `train` lines' "rows/s"), printed per round with the mean of epochs 2–5:
#   bash examples/Benchmarks/compare-cli.sh [ROUNDS] [COMMIT ...]      (default: 3 rounds against 46634d4)
# Each commit is checked out in a worktree under /tmp/cli-compare and built once. Run it on a quiet machine.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
shift || true
commits=("${@:-46634d4}")
work=/tmp/cli-compare
mkdir -p "$work"
declare -A bins dirs
for commit in "${commits[@]}"; do
  tree="$work/$commit"
  [ -d "$tree" ] || git -C "$here" worktree add --force --detach "$tree" "$commit" > /dev/null
  dotnet build "$tree/src/Autoencoders.ML.Cli" -c Release > "$work/build-$commit.txt" 2>&1
  bins[$commit]="$tree/src/Autoencoders.ML.Cli/bin/Release/net10.0/autoencoders"
  dirs[$commit]="$tree"
done
dotnet build "$here/src/Autoencoders.ML.Cli" -c Release > "$work/build-this.txt" 2>&1
bins[this]="$here/src/Autoencoders.ML.Cli/bin/Release/net10.0/autoencoders"
dirs[this]="$here"
for round in $(seq 1 "$rounds"); do
  for which in "${commits[@]}" this; do
    out="$work/out-$which"
    rm -rf "$out"
    (cd "${dirs[$which]}" && "${bins[$which]}" train --epochs 5 --out "$out" > "$work/log-$which-$round.txt" 2>&1)
    rates=$(grep -oE "[0-9][0-9,]* rows/s" "$work/log-$which-$round.txt" | tr -d , | awk '{print $1}')
    mean=$(echo "$rates" | tail -n +2 | awk '{s += $1; n++} END {if (n) printf "%.0f", s / n}')
    echo "round $round, $which: per-epoch rows/s $(echo $rates | tr '\n' ' '); epochs 2-5 mean $mean"
  done
done

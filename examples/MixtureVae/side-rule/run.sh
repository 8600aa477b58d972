#!/bin/bash
# usage: run.sh SIDE SUBSET moves|none, in the directory where prep.py wrote the CSVs; appends to results.txt there.
# One row of the side rule (docs/mixture-defaults.md): the CLI's defaults for --kind gmvae, one run, with or without moves.
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=${CLI:-$HERE/../../../src/Autoencoders.ML.Cli/bin/Release/net10.0/autoencoders}
s=$1; k=$2; v=$3; f=mnist${s}_${k}.csv; m=m_${s}_${k}_${v}
extra=""; [ "$v" = none ] && extra="--max-shift 0"
start=$(date +%s)
$CLI train --data $f --label-column label --kind gmvae --clusters 10 --runs 1 --seed $k $extra --out $m > $m.log 2>&1 || { echo "FAIL $m"; exit 1; }
$CLI cluster --model $m --data $f --label-column label --out $m.clusters.csv >> $m.log 2>&1 || { echo "FAIL cluster $m"; exit 1; }
echo "$s $k $v $(${PYTHON:-python3} "$HERE/acc.py" $m.clusters.csv) $(( $(date +%s) - start ))s" | tee -a results.txt

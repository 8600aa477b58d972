#!/usr/bin/env bash
# "Beyond one machine" on this machine (docs/distributed.md): on the bundled MNIST,
#   1. the C# trainer trains a dense autoencoder (its model.json is the description the PyTorch trainer reads);
#   2. the DDP contract: 2 processes with batch B each take the same first steps as 1 process with batch 2B;
#   3. 2 processes (DistributedDataParallel, gloo) train the same epochs and reach the C# loss within 5%;
#   4. 'autoencoders import' turns the PyTorch output into a model folder whose outputs equal the twin's (≤ 1e-5).
# Needs python3 with torch (Debian 12: apt-get install python3-torch python3-numpy) and the .NET SDK.
# EPOCHS, HIDDEN, LATENT, BATCH and STEPS change the run; PYTHON and TORCHRUN the interpreters.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}
torchrun=${TORCHRUN:-torchrun}
epochs=${EPOCHS:-3} hidden=${HIDDEN:-256} latent=${LATENT:-32} batch=${BATCH:-256} steps=${STEPS:-50}
mnist="$root/data/mnist/train-images-idx3-ubyte.gz"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONPATH="$here/..${PYTHONPATH:+:$PYTHONPATH}"
cli() { dotnet run --project "$root/src/Autoencoders.ML.Cli" -c Release -- "$@"; }
# --redirects/--tee 2: torchrun 1.13 on Python 3.11 fails with its defaults (its Std flag parsing); harmless elsewhere.
ddp() { "$torchrun" --nproc_per_node 2 --redirects 2 --tee 2 -m autoencoders_ml.train "$@"; }
seconds() { local start=$SECONDS; "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; return 1; }; echo $((SECONDS - start)); }
"$python" -c "import torch; print('torch', torch.__version__, 'gloo', torch.distributed.is_gloo_available())"

t=$(seconds cli train --hidden "$hidden" --latent "$latent" --epochs "$epochs" --batch-size "$batch" --validation-fraction 0 --seed 0 --out "$work/cs")
echo "1. C# trainer, $epochs epochs of batch $batch on 60,000 MNIST rows, $hidden-$latent: ${t} s (dotnet run included)"

"$python" -m autoencoders_ml.train --model-json "$work/cs/model.json" --data "$mnist" --out "$work/one" \
  --batch-size $((batch)) --steps "$steps" --step-losses "$work/one.json" >/dev/null 2>&1
ddp --model-json "$work/cs/model.json" --data "$mnist" --out "$work/two" --batch-size $((batch / 2)) --steps "$steps" \
  --step-losses "$work/two.json" >/dev/null 2>&1
echo -n "2. DDP contract, 1 process x batch $batch against 2 processes x batch $((batch / 2)): "
"$python" "$here/ddp_compare.py" "$work/one" "$work/two" "$work/one.json" "$work/two.json" 1e-5

t=$(seconds ddp --model-json "$work/cs/model.json" --data "$mnist" --out "$work/py" --log)
"$python" - "$work/cs/model.json" "$work/py/model.json" "$t" <<'PY'
import json, sys
cs, py = (json.load(open(p))["history"] for p in sys.argv[1:3])
a, b = cs[-1]["trainingLoss"], py[-1]["trainingLoss"]
print(f"3. 2 processes (gloo), {len(py)} epochs: {sys.argv[3]} s (torchrun included); final training loss PyTorch {b:.6f}, "
      f"C# {a:.6f}, ratio {b / a:.4f}")
print("   per epoch, C#:", " ".join(f"{e['trainingLoss']:.6f}" for e in cs), "| PyTorch:", " ".join(f"{e['trainingLoss']:.6f}" for e in py))
sys.exit(0 if abs(b / a - 1) <= 0.05 else 1)
PY

cli import --from "$work/py" --out "$work/imported" >/dev/null
"$python" - "$root/data/mnist/t10k-images-idx3-ubyte.gz" "$work/rows.csv" <<'PY'
import sys
from autoencoders_ml.data import read_rows
rows, names = read_rows(sys.argv[1], max_rows=200)
with open(sys.argv[2], "w") as f:
    f.write(",".join(names) + "\n")
    f.writelines(",".join(repr(float(v)) for v in row) + "\n" for row in rows)
PY
cli encode --model "$work/imported" --data "$work/rows.csv" --out "$work/codes.csv" >/dev/null
cli reconstruct --model "$work/imported" --data "$work/rows.csv" --out "$work/recon.csv" >/dev/null
echo -n "4. imported model (C#) against the PyTorch twin on 200 test rows: "
"$python" "$here/check_twin.py" "$work/py" "$work/rows.csv" "$work/codes.csv" "$work/recon.csv"

#!/usr/bin/env bash
# Trains small models with the CLI (dense with standard scaling, convolutional with batch norm, a BCE VAE), exports them
# with --safetensors, and checks that the PyTorch twin (python/autoencoders_ml) reproduces the CLI's codes and
# reconstructions. Needs python3 with torch (Debian 12: apt-get install python3-torch python3-numpy).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cli() { dotnet run --project "$root/src/Autoencoders.ML.Cli" -c Release -- "$@"; }
awk 'BEGIN { srand(3); h = ""; for (j = 0; j < 64; j++) h = h (j ? "," : "") "p" j; print h;
             for (i = 0; i < 600; i++) { r = ""; for (j = 0; j < 64; j++) r = r (j ? "," : "") sprintf("%.4f", rand()); print r } }' >"$work/rows.csv"
cli train --data "$work/rows.csv" --hidden 32,16 --latent 4 --epochs 3 --scale standard --activation gelu --out "$work/dense" >/dev/null
cli train --data "$work/rows.csv" --image-shape 1x8x8 --architecture conv --filters 4,8 --batch-norm --hidden 16 --latent 4 --epochs 3 --out "$work/conv" >/dev/null
cli train --data "$work/rows.csv" --kind vae --loss bce --hidden 32 --latent 4 --epochs 3 --out "$work/vae" >/dev/null
status=0
for m in dense conv vae; do
  cli export --model "$work/$m" --out "$work/$m-exported" --safetensors >/dev/null
  cli encode --model "$work/$m" --data "$work/rows.csv" --out "$work/$m-codes.csv" >/dev/null
  cli reconstruct --model "$work/$m" --data "$work/rows.csv" --out "$work/$m-recon.csv" >/dev/null
  "$python" "$here/check_twin.py" "$work/$m-exported" "$work/rows.csv" "$work/$m-codes.csv" "$work/$m-recon.csv" || status=1
done
exit $status

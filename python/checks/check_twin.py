"""Compares the PyTorch twin with the C# library on the same rows.

usage: python3 check_twin.py EXPORTED_FOLDER INPUT.csv CODES.csv RECONSTRUCTION.csv
(the CSVs as `autoencoders encode` / `reconstruct` write them: a header, no label column)
"""
import csv
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import autoencoders_ml  # noqa: E402


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return torch.tensor([[float(v) for v in row] for row in rows[1:]], dtype=torch.float32)


folder, inputs, codes, reconstructions = sys.argv[1:5]
model = autoencoders_ml.load(folder)
x = read(inputs)
with torch.no_grad():
    latent = (model.encode(x) - read(codes)).abs().max().item()
    recon = (model(x) - read(reconstructions)).abs().max().item()
print(f"{folder}: largest |latent difference| {latent:.2e}, largest |reconstruction difference| {recon:.2e}")
sys.exit(0 if latent <= 1e-5 and recon <= 1e-5 else 1)

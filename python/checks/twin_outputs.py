"""Writes the PyTorch twin's latent codes and reconstructions of rows, for comparison with the C# side.

usage: python3 twin_outputs.py MODEL_FOLDER INPUT.csv CODES.csv RECONSTRUCTION.csv
(MODEL_FOLDER holds model.json + weights.safetensors; INPUT.csv has a header and only feature columns)
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


def write(path, values):
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow([f"v{j}" for j in range(values.shape[1])])
        out.writerows([[repr(float(v)) for v in row] for row in values.tolist()])


folder, inputs, codes, reconstructions = sys.argv[1:5]
model = autoencoders_ml.load(folder)
x = read(inputs)
with torch.no_grad():
    write(codes, model.encode(x))
    write(reconstructions, model(x))

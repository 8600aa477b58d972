"""Compares two runs of autoencoders_ml.train: their per-step losses (JSON lists) and their weights (safetensors).

usage: python3 ddp_compare.py RUN_A RUN_B STEPS_A.json STEPS_B.json [TOLERANCE]
Prints the largest differences; exits 1 when a weight or a step loss differs by more than TOLERANCE (default 1e-5).
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from autoencoders_ml import read_safetensors  # noqa: E402

a, b, steps_a, steps_b = sys.argv[1:5]
tolerance = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-5
with open(steps_a) as f:
    losses_a = json.load(f)
with open(steps_b) as f:
    losses_b = json.load(f)
weights_a = read_safetensors(os.path.join(a, "weights.safetensors"))
weights_b = read_safetensors(os.path.join(b, "weights.safetensors"))
assert sorted(weights_a) == sorted(weights_b), "the two runs have different keys"
assert len(losses_a) == len(losses_b), f"{len(losses_a)} steps against {len(losses_b)}"
loss = max(abs(x - y) / max(abs(x), 1e-12) for x, y in zip(losses_a, losses_b))
weight = max((weights_a[k].double() - weights_b[k].double()).abs().max().item() for k in weights_a)
print(f"{len(losses_a)} steps: largest relative step-loss difference {loss:.1e}, largest weight difference {weight:.1e} "
      f"(first loss {losses_a[0]:.6f}, last {losses_a[-1]:.6f})")
sys.exit(0 if loss <= tolerance and weight <= tolerance else 1)

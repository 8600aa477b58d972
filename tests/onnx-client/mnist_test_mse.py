#!/usr/bin/env python3
"""Test MSE per pixel of a model folder's autoencoder.onnx on the 10,000 MNIST test images, read by a client that
shares no code with the library: the `onnx` package parses the graph and numpy runs it (Gemm, MatMul, Add, Relu,
Sigmoid, Tanh, ...). Prefers onnxruntime when it is installed.

    python3 tests/onnx-client/mnist_test_mse.py models/mnist [data/mnist/t10k-images-idx3-ubyte.gz]

Needs python3-onnx and python3-numpy (Debian) or `pip install onnx numpy`.
"""
import gzip
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def read_idx_images(path):
    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as f:
        data = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != 0x00000803:
        raise SystemExit(f"{path}: not an IDX3 ubyte file (magic {magic:#x})")
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows * cols)
    return pixels.astype(np.float32) / 255.0


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_numpy(model, features):
    """Evaluates the graph node by node with numpy (the dense autoencoder's operators)."""
    values = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    values[model.graph.input[0].name] = features
    for node in model.graph.node:
        a = attributes(node)
        x = [values[name] for name in node.input if name]
        op = node.op_type
        if op == "Gemm":
            A = x[0].T if a.get("transA", 0) else x[0]
            B = x[1].T if a.get("transB", 0) else x[1]
            y = a.get("alpha", 1.0) * (A @ B)
            if len(x) > 2:
                y = y + a.get("beta", 1.0) * x[2]
        elif op == "MatMul":
            y = x[0] @ x[1]
        elif op == "Add":
            y = x[0] + x[1]
        elif op == "Sub":
            y = x[0] - x[1]
        elif op == "Mul":
            y = x[0] * x[1]
        elif op == "Div":
            y = x[0] / x[1]
        elif op == "Relu":
            y = np.maximum(x[0], 0)
        elif op == "LeakyRelu":
            y = np.where(x[0] >= 0, x[0], a.get("alpha", 0.01) * x[0])
        elif op == "Sigmoid":
            y = 1.0 / (1.0 + np.exp(-x[0]))
        elif op == "Tanh":
            y = np.tanh(x[0])
        elif op == "Identity":
            y = x[0]
        else:
            raise SystemExit(f"operator {op} is not implemented in this numpy client; install onnxruntime")
        values[node.output[0]] = y.astype(np.float32)
    return values["reconstruction"]


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    folder = sys.argv[1]
    images = sys.argv[2] if len(sys.argv) > 2 else "data/mnist/t10k-images-idx3-ubyte.gz"
    path = f"{folder}/autoencoder.onnx"
    x = read_idx_images(images)
    try:
        import onnxruntime  # noqa: F401  (used when present)
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        reconstruction = session.run(["reconstruction"], {"features": x})[0]
        client = f"onnxruntime {onnxruntime.__version__} (Python)"
    except ImportError:
        model = onnx.load(path)
        onnx.checker.check_model(model)
        reconstruction = np.concatenate([run_numpy(model, x[i:i + 1000]) for i in range(0, len(x), 1000)])
        client = f"onnx {onnx.__version__} + numpy {np.__version__} (Python, no onnxruntime)"
    mse = float(np.mean((reconstruction.astype(np.float64) - x) ** 2))
    print(f"{path}: test MSE per pixel {mse:.6f} on {len(x)} images ({client})")


if __name__ == "__main__":
    main()

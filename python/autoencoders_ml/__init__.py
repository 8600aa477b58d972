"""Autoencoders.ML in PyTorch: the twin of a model described by model.json (load, encode, decode), its safetensors
weights, and a distributed trainer (python -m autoencoders_ml.train) whose output `autoencoders import` reads."""
from .model import Autoencoder, build_network, kind_of, load, save_weights
from .safetensors import read_safetensors, write_safetensors

__all__ = ["Autoencoder", "build_network", "kind_of", "load", "save_weights", "read_safetensors", "write_safetensors"]

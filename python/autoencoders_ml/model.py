"""PyTorch twin of an Autoencoders.ML model, built from the model folder's model.json and weights.safetensors.

    from autoencoders_ml import load
    model = load("models/mnist")                         # model.json + weights.safetensors (autoencoders export --safetensors)
    codes = model.encode(x)                               # x: float32 (N, input_size), in the data's own units
    recon = model(x)                                      # reconstruction with the output activation, in data units
    model.net.load_state_dict(...); model.net.train()    # continue training in PyTorch: the state-dict keys are ours

The module tree mirrors the C# one exactly, so the state-dict keys and shapes of the safetensors file load with
strict=True: a plain autoencoder is `encoder.layers.{i}` and `decoder.layers.{i}`; a variational one has the trunk in
`encoder.layers.{i}`, the heads `mean` and `logVariance`, and `decoder.layers.{i}`; a Gaussian-mixture VAE is that
VAE under `vae.` plus the prior `priorMean` (K, L), `priorLogVariance` (K, L) and `weightLogits` (K). Dense layers are
nn.Linear; image layers are blocks with `conv` (nn.Conv2d or nn.ConvTranspose2d) and an optional `norm`
(nn.BatchNorm2d). Rows are flat; image layers read them as (N, C, H, W), channel-major, exactly as the C# stack does.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from .safetensors import read_safetensors, write_safetensors

_ACTIVATIONS = {
    "None": lambda x: x,
    "ReLU": F.relu,
    "LeakyReLU": lambda x: F.leaky_relu(x, 0.01),
    "Tanh": torch.tanh,
    "Sigmoid": torch.sigmoid,
    "ELU": lambda x: F.elu(x, 1.0),
    "GELU": F.gelu,  # exact (erf) form, as in the C# library
}
_IMAGE_TYPES = {"conv2d", "convTranspose2d", "upsampleConv2d", "cropOrPad"}


class ConvBlock(nn.Module):
    """Optional nearest upsampling, a (transposed) convolution and optional batch norm: keys conv.*, norm.*."""

    def __init__(self, conv, channels, batch_norm, upsample=1):
        super().__init__()
        self.conv = conv
        self.norm = nn.BatchNorm2d(channels) if batch_norm else None
        self.upsample = upsample

    def forward(self, x):
        if self.upsample != 1:
            x = F.interpolate(x, scale_factor=self.upsample, mode="nearest")
        x = self.conv(x)
        return x if self.norm is None else self.norm(x)


class CropOrPad(nn.Module):
    """Crops or zero-pads the bottom and right of (N, C, H, W) images to a fixed height and width."""

    def __init__(self, height, width):
        super().__init__()
        self.height, self.width = height, width

    def forward(self, x):
        x = x[:, :, : self.height, : self.width]
        return F.pad(x, (0, max(0, self.width - x.shape[3]), 0, max(0, self.height - x.shape[2])))


def _layer(spec):
    kind = spec["type"]
    if kind == "dense":
        return nn.Linear(spec["in"], spec["out"])
    if kind == "cropOrPad":
        return CropOrPad(spec["height"], spec["width"])
    cin, k, filters = spec["input"]["channels"], spec["kernelSize"], spec["filters"]
    if kind == "conv2d":
        return ConvBlock(nn.Conv2d(cin, filters, k, stride=spec["stride"], padding=spec["padding"]), filters, spec.get("batchNorm", False))
    if kind == "upsampleConv2d":
        return ConvBlock(nn.Conv2d(cin, filters, k, stride=1, padding=k // 2), filters, spec.get("batchNorm", False), spec["scale"])
    if kind == "convTranspose2d":
        conv = nn.ConvTranspose2d(cin, filters, k, stride=spec["stride"], padding=spec["padding"], output_padding=spec["outputPadding"])
        return ConvBlock(conv, filters, spec.get("batchNorm", False))
    raise ValueError(f"unknown layer type {kind!r}")


class LayerStack(nn.Module):
    """A list of layer specs run on flat rows, reshaping to images where an image layer needs them."""

    def __init__(self, specs):
        super().__init__()
        self.specs = specs
        self.layers = nn.ModuleList(_layer(s) for s in specs)

    def forward(self, x):
        for spec, layer in zip(self.specs, self.layers):
            if spec["type"] in _IMAGE_TYPES:
                shape = spec["input"]
                x = x.reshape(-1, shape["channels"], shape["height"], shape["width"])
            else:
                x = x.flatten(1)
            x = _ACTIVATIONS[spec.get("act", "None")](layer(x))
            if spec["type"] == "dense" and spec.get("dropout", 0) > 0 and self.training:
                x = F.dropout(x, spec["dropout"], training=True)
        return x.flatten(1)


class PlainNetwork(nn.Module):
    def __init__(self, architecture):
        super().__init__()
        self.encoder = LayerStack(architecture["encoder"])
        self.decoder = LayerStack(architecture["decoder"])

    def encode(self, x):
        return self.encoder(x)


class VariationalNetwork(nn.Module):
    def __init__(self, architecture, log_variance_clamp):
        super().__init__()
        head = architecture["encoder"][-1]
        self.encoder = LayerStack(architecture["encoder"][:-1])
        self.mean = nn.Linear(head["in"], head["out"])
        self.logVariance = nn.Linear(head["in"], head["out"])
        self.decoder = LayerStack(architecture["decoder"])
        self.clamp = log_variance_clamp

    def posterior(self, x):
        trunk = self.encoder(x) if len(self.encoder.specs) > 0 else x
        return self.mean(trunk), self.logVariance(trunk).clamp(-self.clamp, self.clamp)

    def encode(self, x):
        return self.posterior(x)[0]


class MixtureNetwork(nn.Module):
    """A Gaussian-mixture VAE: the VAE under `vae` and the learned prior (encoding and decoding only; it trains in C#)."""

    def __init__(self, architecture, log_variance_clamp, clusters):
        super().__init__()
        self.vae = VariationalNetwork(architecture, log_variance_clamp)
        latent = architecture["encoder"][-1]["out"]
        self.priorMean = nn.Parameter(torch.zeros(clusters, latent))
        self.priorLogVariance = nn.Parameter(torch.zeros(clusters, latent))
        self.weightLogits = nn.Parameter(torch.zeros(clusters))

    @property
    def decoder(self):
        return self.vae.decoder

    def posterior(self, x):
        return self.vae.posterior(x)

    def encode(self, x):
        return self.vae.encode(x)


def kind_of(config):
    """The model kind of a model.json: 'dense' (plain, dense or convolutional), 'variational' or 'gmvae'."""
    options = config.get("options") or {}
    return options.get("kind") or "dense"


def build_network(config):
    """The bare network of a model.json, freshly initialised (PyTorch's default initialisation, as TorchSharp's)."""
    architecture = config["architecture"]
    options = config.get("options") or {}
    clamp = float(options.get("logVarianceClamp", 10.0))
    kind = kind_of(config)
    if kind == "variational":
        return VariationalNetwork(architecture, clamp)
    if kind == "gmvae":
        return MixtureNetwork(architecture, clamp, int(options["clusters"]))
    if kind == "dense":
        return PlainNetwork(architecture)
    raise ValueError(f"model.json options.kind is {kind!r}; this package knows 'dense', 'variational' and 'gmvae'")


class Autoencoder(nn.Module):
    """The network plus the model's input scaling and output activation: takes and returns data in its own units."""

    def __init__(self, config):
        super().__init__()
        architecture = config["architecture"]
        self.net = build_network(config)
        self.sigmoid = architecture.get("outputActivation") == "Sigmoid"
        scaling = config.get("scaling")
        tensor = lambda key: torch.tensor(scaling[key], dtype=torch.float32) if scaling else None
        self.input_shift, self.input_scale = tensor("inputShift"), tensor("inputScale")
        self.output_shift, self.output_scale = tensor("outputShift"), tensor("outputScale")

    def encode(self, x):
        if self.input_shift is not None:
            x = (x - self.input_shift) * self.input_scale
        return self.net.encode(x)

    def decode(self, z):
        y = self.net.decoder(z)
        y = torch.sigmoid(y) if self.sigmoid else y
        return y if self.output_shift is None else y / self.output_scale + self.output_shift

    def forward(self, x):
        return self.decode(self.encode(x))


def load(folder, weights="weights.safetensors"):
    """Builds the module from folder/model.json and loads folder/weights.safetensors with strict key matching."""
    with open(os.path.join(folder, "model.json"), encoding="utf-8") as f:
        config = json.load(f)
    model = Autoencoder(config)
    model.net.load_state_dict(read_safetensors(os.path.join(folder, weights)), strict=True)
    return model.eval()


def save_weights(net, path):
    """Writes the bare network's state dict as safetensors (float32 weights, int64 batch counts), what C# imports."""
    write_safetensors(net.state_dict(), path)

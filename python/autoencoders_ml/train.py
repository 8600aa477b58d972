"""Trains the network a model.json describes, on one process or many (torchrun + DistributedDataParallel), and writes
what `autoencoders import` (AutoencoderModel.Import) reads: OUT/model.json and OUT/weights.safetensors.

    python3 -m autoencoders_ml.train --model-json model.json --data rows.csv --out trained
    torchrun --nproc_per_node 2 -m autoencoders_ml.train --model-json model.json --data rows.csv --out trained

model.json is one written by the C# library (`autoencoders train`, `autoencoders export --safetensors`, or
AutoencoderModel.Save): its architecture, kind (dense, convolutional or variational), loss, optimizer, learning rate,
weight decay, gradient clipping, batch size, epochs, seed, scaling and validation fraction are used; the weights are
initialised afresh from the seed. Options this trainer does not implement (denoising corruption, image augmentation,
learning-rate schedules, early stopping, several runs, importance-weighted VAEs, Gaussian-mixture VAEs, bf16) are
refused by name rather than ignored.

Distributed semantics: model.json's batchSize is the number of rows per optimizer step (as in C#); each of the N
processes takes an equal share (or --batch-size rows, PyTorch's per-process convention). Every process draws the same
seeded permutation per epoch, so global step s uses the same rows for any N; each process's loss is weighted by its
share of the step's rows, so DDP's gradient average is the gradient of the step's mean loss. A VAE's noise is drawn for
the whole step from a seeded generator and sliced per process. Hence N processes with batch B each take the steps one
process with batch N*B takes, to float rounding (tested by python/checks/ddp_check.py). Batch norm uses each process's
rows (no SyncBatchNorm on CPU). Backend: NCCL when CUDA is available, else gloo.
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from .data import read_rows
from .model import build_network, kind_of
from .safetensors import write_safetensors

# Options of model.json this trainer does not implement, with the value that means "not used".
_UNSUPPORTED_TRAINING = {
    "corruption": None,
    "augmentation": None,
    "reduceOnPlateau": None,
    "cosineAnnealing": None,
    "earlyStoppingPatience": None,
    "resumeFrom": None,
    "runs": 1,
}


def main(argv=None):
    args = _parse(argv)
    try:
        config = _read_config(args.model_json)
        plan = _plan(config, args)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    distributed = "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1
    device = torch.device("cpu")
    if distributed:
        cuda = torch.cuda.is_available()
        dist.init_process_group(backend="nccl" if cuda else "gloo")
        if cuda:
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
            torch.cuda.set_device(device)
    elif torch.cuda.is_available() and not args.cpu:
        device = torch.device("cuda")
    try:
        rows, names = read_rows(args.data, args.label_column, args.max_rows)
        result = train(config, plan, rows, device, log=args.log)
        if _rank() == 0:
            _write(args.out, config, plan, result, args, names)
            if args.step_losses:
                with open(args.step_losses, "w", encoding="utf-8") as f:
                    json.dump(result["step_losses"], f)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        if distributed:
            dist.destroy_process_group()
    return 0


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python3 -m autoencoders_ml.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-json", required=True, help="model.json written by the C# library: architecture and training options")
    parser.add_argument("--data", required=True, help="CSV with a header (numeric columns are features) or IDX / IDX.gz (pixels / 255)")
    parser.add_argument("--out", required=True, help="folder to write model.json and weights.safetensors into (created)")
    parser.add_argument("--label-column", help="CSV column that is not a feature")
    parser.add_argument("--max-rows", type=int, help="read at most this many rows")
    parser.add_argument("--epochs", type=int, help="epochs (default: model.json training.epochs)")
    parser.add_argument("--batch-size", type=int, help="rows per process per step (default: model.json training.batchSize / processes)")
    parser.add_argument("--seed", type=int, help="seed of the weights, shuffling, split and noise (default: model.json training.seed)")
    parser.add_argument("--steps", type=int, help="stop after this many optimizer steps (for checks)")
    parser.add_argument("--step-losses", help="also write each step's mean loss over all processes to this JSON file (for checks)")
    parser.add_argument("--cpu", action="store_true", help="train on the CPU even when CUDA is available (single process)")
    parser.add_argument("--log", action="store_true", help="print one line per epoch on rank 0 (stderr)")
    return parser.parse_args(argv)


def _read_config(path):
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: cannot read model.json ({e})") from None
    for key in ("architecture", "options", "training"):
        if not isinstance(config.get(key), dict):
            raise ValueError(f"{path}: model.json lacks '{key}'; give a model.json written by the C# library (autoencoders train or export --safetensors)")
    return config


def _plan(config, args):
    """The run's settings from model.json and the command line; unsupported options are refused by name."""
    training, options = config["training"], config["options"]
    for key, unused in _UNSUPPORTED_TRAINING.items():
        if training.get(key, unused) not in (unused, 0) or (key == "runs" and training.get(key, 1) != 1):
            raise ValueError(f"model.json training.{key} is {training[key]!r}; this trainer does not implement it (set it to {json.dumps(unused)})")
    if training.get("precision", "Float32") not in ("Float32", None):
        raise ValueError(f"model.json training.precision is {training['precision']!r}; this trainer trains in Float32")
    kind = kind_of(config)
    if kind not in ("dense", "variational"):
        raise ValueError(f"model.json options.kind is {kind!r}; this trainer trains 'dense' (plain or convolutional) and 'variational' models")
    if kind == "variational" and options.get("importanceSamples", 1) != 1:
        raise ValueError(f"model.json options.importanceSamples is {options['importanceSamples']}; this trainer trains the ELBO (1)")
    optimizer = training.get("optimizer", "Adam")
    if optimizer not in ("Adam", "AdamW", "Sgd"):
        raise ValueError(f"model.json training.optimizer is {optimizer!r}; expected Adam, AdamW or Sgd")
    epochs = args.epochs if args.epochs is not None else training.get("epochs")
    if epochs is None or epochs < 1:
        raise ValueError("model.json training.epochs is null (the C# automatic budget); give --epochs N")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    global_batch = args.batch_size * world if args.batch_size is not None else int(training.get("batchSize", 256))
    if global_batch < world:
        raise ValueError(f"a step of {global_batch} rows cannot be shared by {world} processes; give --batch-size")
    return {
        "kind": kind,
        "loss": options.get("loss", "MeanSquaredError"),
        "optimizer": optimizer,
        "lr": float(training.get("learningRate", 1e-3)),
        "momentum": float(training.get("momentum", 0.9)),
        "weight_decay": float(training.get("weightDecay", 0.0)),
        "clip": training.get("gradientClipNorm"),
        "epochs": int(epochs),
        "global_batch": global_batch,
        "seed": int(args.seed if args.seed is not None else training.get("seed", 0)),
        "scaling": training.get("scaling", "None"),
        "validation_fraction": float(training.get("validationFraction") or 0.0),
        "beta": float(options.get("beta", 1.0)),
        "kl_warmup": float(options.get("klWarmupFraction", 0.0)),
        "sigmoid": config["architecture"].get("outputActivation") == "Sigmoid",
        "max_steps": args.steps,
        "world": world,
    }


def _rank():
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def fit_scaling(kind, rows):
    """The C# FeatureScaling.Fit: min-max or standard (population) per value, in float64; a constant value gets scale 1."""
    x = rows.astype(np.float64)
    if kind == "MinMax":
        shift, spread = x.min(0), x.max(0) - x.min(0)
    else:
        shift = x.sum(0) / len(x)
        spread = np.sqrt(np.clip((x * x).sum(0) / len(x) - shift * shift, 0, None))
    scale = np.where(spread > 1e-12, 1.0 / np.where(spread > 1e-12, spread, 1.0), 1.0)
    shift, scale = shift.astype(np.float32), scale.astype(np.float32)
    return {"kind": kind, "inputShift": shift.tolist(), "inputScale": scale.tolist(), "outputShift": shift.tolist(), "outputScale": scale.tolist()}


class Objective(torch.nn.Module):
    """The network and its loss in one module, so that DistributedDataParallel sees every parameter used in forward."""

    def __init__(self, net, plan):
        super().__init__()
        self.net, self.plan = net, plan

    def forward(self, x, noise, kl_weight):
        """(total, parts): the mean loss of the rows x (N, D); `noise` (N, L) is the VAE's ε, ignored otherwise."""
        plan = self.plan
        if plan["kind"] == "dense":
            logits = self.net.decoder(self.net.encoder(x))
            if plan["loss"] == "BinaryCrossEntropy":
                loss = F.binary_cross_entropy_with_logits(logits, x)
            else:
                loss = F.mse_loss(torch.sigmoid(logits) if plan["sigmoid"] else logits, x)
            return loss, {"reconstruction": loss}
        mean, log_variance = self.net.posterior(x)
        z = mean + (0.5 * log_variance).exp() * noise if self.training else mean
        logits = self.net.decoder(z)
        if plan["loss"] == "BinaryCrossEntropy":
            per_row = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        else:
            per_row = ((torch.sigmoid(logits) if plan["sigmoid"] else logits) - x).square().sum(1)
        reconstruction = per_row.mean()
        kl = (0.5 * (log_variance.exp() + mean.square() - 1 - log_variance).sum(1)).mean()
        return reconstruction + kl * kl_weight, {"reconstruction": reconstruction, "kl": kl}


def train(config, plan, rows, device, log=False):
    """Trains on `rows` (float32 (N, D), the same on every process); returns the network, history and scaling."""
    rank, world = _rank(), plan["world"]
    torch.manual_seed(plan["seed"])
    net = build_network(config)
    if rows.shape[1] != _input_size(config):
        raise ValueError(f"the data has {rows.shape[1]} values per row; model.json's architecture takes {_input_size(config)}")
    if plan["loss"] == "BinaryCrossEntropy" and plan["scaling"] == "None" and (rows.min() < 0 or rows.max() > 1):
        raise ValueError("loss BinaryCrossEntropy needs values in [0, 1]; scale the data (training.scaling MinMax) or use MeanSquaredError")

    # The validation rows: a seeded draw, the same on every process.
    split = torch.Generator().manual_seed(plan["seed"] + 1)
    order = torch.randperm(len(rows), generator=split).numpy()
    held = int(round(len(rows) * plan["validation_fraction"]))
    validation = rows[order[:held]] if held > 0 else None
    rows = rows[np.sort(order[held:])] if held > 0 else rows

    scaling = fit_scaling(plan["scaling"], rows) if plan["scaling"] in ("MinMax", "Standard") else None
    if scaling is not None:
        shift, scale = np.asarray(scaling["inputShift"], np.float32), np.asarray(scaling["inputScale"], np.float32)
        rows = (rows - shift) * scale
        validation = None if validation is None else (validation - shift) * scale
    data = torch.from_numpy(np.ascontiguousarray(rows)).to(device)
    held_out = None if validation is None else torch.from_numpy(np.ascontiguousarray(validation)).to(device)

    objective = Objective(net, plan).to(device)
    model = objective
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(objective, device_ids=[device.index] if device.type == "cuda" else None)
    parameters = [p for p in net.parameters() if p.requires_grad]
    if plan["optimizer"] == "Adam":
        optimizer = torch.optim.Adam(parameters, lr=plan["lr"], weight_decay=plan["weight_decay"])
    elif plan["optimizer"] == "AdamW":
        optimizer = torch.optim.AdamW(parameters, lr=plan["lr"], weight_decay=plan["weight_decay"])
    else:
        optimizer = torch.optim.SGD(parameters, lr=plan["lr"], momentum=plan["momentum"], weight_decay=plan["weight_decay"])

    shuffle = torch.Generator().manual_seed(plan["seed"])
    noise = torch.Generator().manual_seed(plan["seed"] + 2)
    latent = _latent_size(config)
    batch = plan["global_batch"]
    steps_per_epoch = sum(1 for s in range(0, len(data), batch) if min(batch, len(data) - s) >= world)
    total_steps = steps_per_epoch * plan["epochs"]
    history, step_losses, best, started, step = [], [], math.inf, time.perf_counter(), 0
    for epoch in range(1, plan["epochs"] + 1):
        model.train()
        epoch_start = time.perf_counter()
        permutation = torch.randperm(len(data), generator=shuffle)
        sums = torch.zeros(4, dtype=torch.float64)  # rows, then the loss, reconstruction and KL summed over rows
        for start in range(0, len(data), batch):
            indices = permutation[start:start + batch]
            if len(indices) < world:
                continue  # a last step too small to share
            epsilon = torch.randn(len(indices), latent, generator=noise) if plan["kind"] == "variational" else None
            share = torch.tensor_split(torch.arange(len(indices)), world)[rank]
            x = data[indices[share].to(device)]
            eps = None if epsilon is None else epsilon[share].to(device)
            kl_weight = plan["beta"] * (min(1.0, (step / total_steps) / plan["kl_warmup"]) if plan["kl_warmup"] > 0 else 1.0)
            optimizer.zero_grad()
            loss, parts = model(x, eps, kl_weight)
            # DDP averages gradients over processes: weighting by the share of rows makes it the step's mean loss.
            (loss * (len(share) * world / len(indices))).backward()
            if plan["clip"] is not None:
                torch.nn.utils.clip_grad_norm_(parameters, float(plan["clip"]))
            optimizer.step()
            step += 1
            n = len(share)
            kl = parts["kl"].item() if "kl" in parts else 0.0
            sums += torch.tensor([n, loss.item() * n, parts["reconstruction"].item() * n, kl * n], dtype=torch.float64)
            step_losses.append(_all_sum(torch.tensor([loss.item() * n, n], dtype=torch.float64), device))
            if plan["max_steps"] is not None and step >= plan["max_steps"]:
                break
        totals = _all_sum(sums, device)
        rows_seen = max(totals[0].item(), 1)
        training_loss = totals[1].item() / rows_seen
        parts_out = {"reconstruction": totals[2].item() / rows_seen}
        if plan["kind"] == "variational":
            parts_out["kl"] = totals[3].item() / rows_seen
        validation_loss = _validate(objective, held_out, batch, plan) if held_out is not None else None
        monitored = validation_loss if validation_loss is not None else training_loss
        is_best = monitored < best
        best = min(best, monitored)
        elapsed = time.perf_counter() - started
        history.append({
            "epoch": epoch, "epochs": plan["epochs"], "trainingLoss": training_loss, "trainingLossParts": parts_out,
            "validationLoss": validation_loss, "learningRate": optimizer.param_groups[0]["lr"], "elapsed": _timespan(elapsed),
            "samplesPerSecond": rows_seen / max(time.perf_counter() - epoch_start, 1e-9), "isBest": is_best, "run": 1, "runs": 1,
        })
        if log and rank == 0:
            print(f"epoch {epoch}/{plan['epochs']}  loss {training_loss:.5g}" + (f"  val {validation_loss:.5g}" if validation_loss is not None else "")
                  + f"  {elapsed:.1f}s", file=sys.stderr)
        if plan["max_steps"] is not None and step >= plan["max_steps"]:
            break
    return {"net": net.cpu(), "history": history, "scaling": scaling, "step_losses": [(s[0] / s[1]).item() for s in step_losses],
            "validation": held_out is not None, "rows": len(data)}


def _validate(objective, rows, batch, plan):
    objective.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(rows), batch):
            x = rows[start:start + batch]
            loss, _ = objective(x, None, plan["beta"])
            total += loss.item() * len(x)
    objective.train()
    return total / len(rows)


def _all_sum(values, device):
    if dist.is_available() and dist.is_initialized():
        moved = values.to(device)
        dist.all_reduce(moved)
        return moved.cpu()
    return values


def _input_size(config):
    first = config["architecture"]["encoder"][0]
    if "in" in first:
        return first["in"]
    shape = first["input"]
    return shape["channels"] * shape["height"] * shape["width"]


def _latent_size(config):
    last = config["architecture"]["encoder"][-1]
    return last["out"]


def _timespan(seconds):
    """A .NET TimeSpan as System.Text.Json writes it: hh:mm:ss.fffffff."""
    hours, rest = divmod(seconds, 3600)
    minutes, rest = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{rest:010.7f}"


def _write(out, config, plan, result, args, names):
    """OUT/model.json (the description with this run's history, scaling and options) and OUT/weights.safetensors."""
    os.makedirs(out, exist_ok=True)
    described = copy.deepcopy(config)
    for key in ("runLosses", "pca", "finalMetrics", "anomaly", "importedFrom"):
        described.pop(key, None)
    history = result["history"]
    monitored = [e["validationLoss"] if result["validation"] else e["trainingLoss"] for e in history]
    described.update({
        "history": history,
        "bestEpoch": len(history),  # the last epoch's weights are the ones written
        "stoppedEarly": False,
        "monitoredLoss": "validation" if result["validation"] else "training",
        "scaling": result["scaling"],
        "chosenRun": 1,
        # "columns" (a CSV's, in order): the C# tool matches a scoring CSV's columns by these names.
        "data": {"source": os.path.abspath(args.data), "rows": result["rows"], "features": len(names),
                 **({"columns": names} if args.data.lower().endswith(".csv") else {})},
        "trainedWith": {
            "tool": "python -m autoencoders_ml.train", "torch": torch.__version__, "processes": plan["world"],
            "backend": dist.get_backend() if dist.is_available() and dist.is_initialized() else "none",
            "rowsPerStep": plan["global_batch"], "lowestMonitoredLoss": min(monitored) if monitored else None,
        },
    })
    training = described["training"]
    training.update({"epochs": plan["epochs"], "batchSize": plan["global_batch"], "seed": plan["seed"]})
    if args.label_column is not None:
        described["labelColumn"] = args.label_column
    write_safetensors(result["net"].state_dict(), os.path.join(out, "weights.safetensors"))
    temporary = os.path.join(out, f".model.json.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(described, f, indent=2)
    os.replace(temporary, os.path.join(out, "model.json"))


if __name__ == "__main__":
    sys.exit(main())

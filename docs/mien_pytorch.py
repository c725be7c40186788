"""Rebuild a Mien network in PyTorch from `mien export --pytorch model.pt` (model.pt + model.json).

    import torch, mien_pytorch
    net, meta = mien_pytorch.load("model.pt")        # reads model.json beside it
    probs = mien_pytorch.predict(net, meta, faces)    # faces: uint8 array N x S x S (grey, already cropped)

It mirrors src/Mien/Models/ModelBuilder.cs layer by layer, with the same module names, so the state dict loads
strictly. Spec layers only (conv2d, separable_conv2d, pools, dense, batchnorm, dropout, activation, residual...);
torchvision backbones and imported ONNX graphs are not rebuilt here: use the .onnx export for those.
"""
import json
import os
from collections import OrderedDict

import torch
from torch import nn


class Residual(nn.Module):
    """y = main(x) + shortcut(x), as Mien's ResidualBlock (children 'main' and 'shortcut')."""

    def __init__(self, main, shortcut):
        super().__init__()
        self.main, self.shortcut = main, shortcut

    def forward(self, x):
        return self.main(x) + self.shortcut(x)


class Subsample(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        return x[:, :, ::self.stride, ::self.stride]


def _activation(name, rate):
    name = name.strip().lower()
    return {
        "relu": lambda: nn.ReLU(), "leaky_relu": lambda: nn.LeakyReLU(rate if rate is not None else 0.01),
        "leakyrelu": lambda: nn.LeakyReLU(rate if rate is not None else 0.01), "elu": lambda: nn.ELU(),
        "gelu": lambda: nn.GELU(), "selu": lambda: nn.SELU(), "silu": lambda: nn.SiLU(), "swish": lambda: nn.SiLU(),
        "tanh": lambda: nn.Tanh(), "sigmoid": lambda: nn.Sigmoid(),
    }[name]()


def _padding(p, k):
    p = None if p is None else str(p).strip().lower()
    return k // 2 if p in (None, "same") else 0 if p == "valid" else int(p)


def _sequence(layers, shape, prefix):
    """shape = [C, H, W, flat]; returns the named modules and updates shape."""
    mods = []
    for i, l in enumerate(layers):
        t = l["type"].strip().lower()
        name = f"{prefix.replace('.', '_')}{i}_{t}"
        c, h, w, flat = shape
        bn = l.get("batchnorm") is True
        if t in ("conv2d", "separable_conv2d"):
            f, k, s = l["filters"], l.get("kernel") or 3, l.get("stride") or 1
            pad = _padding(l.get("padding"), k)
            if t == "conv2d":
                mods.append((name, nn.Conv2d(c, f, k, stride=s, padding=pad, bias=not bn)))
            else:
                mods.append((name + "_dw", nn.Conv2d(c, c, k, stride=s, padding=pad, groups=c, bias=False)))
                mods.append((name + "_pw", nn.Conv2d(c, f, 1, bias=not bn)))
            shape[:] = [f, (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1, False]
            if bn:
                mods.append((name + "_bn", nn.BatchNorm2d(f)))
            if l.get("activation"):
                mods.append((name + "_act", _activation(l["activation"], l.get("rate"))))
        elif t in ("maxpool", "avgpool"):
            k = l.get("kernel") or 2
            s = l.get("stride") or k
            pad = 0 if l.get("padding") is None else _padding(l["padding"], k)
            mods.append((name, nn.MaxPool2d(k, s, pad) if t == "maxpool" else nn.AvgPool2d(k, s, pad, count_include_pad=False)))
            shape[:] = [c, (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1, False]
        elif t == "global_avg_pool":
            mods += [(name, nn.AdaptiveAvgPool2d(1)), (name + "_flat", nn.Flatten())]
            shape[:] = [c, 1, 1, True]
        elif t == "flatten":
            if not flat:
                mods.append((name, nn.Flatten()))
                shape[:] = [c * h * w, 1, 1, True]
        elif t == "dense":
            u = l["units"]
            mods.append((name, nn.Linear(c, u, bias=not bn)))
            shape[:] = [u, 1, 1, True]
            if bn:
                mods.append((name + "_bn", nn.BatchNorm1d(u)))
            if l.get("activation"):
                mods.append((name + "_act", _activation(l["activation"], l.get("rate"))))
        elif t == "activation":
            mods.append((name, _activation(l["activation"], l.get("rate"))))
        elif t == "batchnorm":
            mods.append((name, nn.BatchNorm1d(c) if flat else nn.BatchNorm2d(c)))
        elif t == "dropout":
            rate = l.get("rate")
            rate = 0.5 if rate is None else rate
            mods.append((name, nn.Dropout(rate) if flat else nn.Dropout2d(rate)))
        elif t == "residual":
            before = list(shape)
            main = nn.Sequential(OrderedDict(_sequence(l["layers"], shape, f"{prefix}{i + 1}.")))
            c2, h2, w2, _ = shape
            if (c2, h2, w2) == tuple(before[:3]) and l.get("shortcut_stride") is None:
                shortcut = nn.Identity()
            else:
                s = l.get("shortcut_stride") or max(1, before[1] // h2)
                parts = [("subsample", Subsample(s))] if s != 1 else []
                parts += [("conv", nn.Conv2d(before[0], c2, 1, bias=False)), ("bn", nn.BatchNorm2d(c2))]
                shortcut = nn.Sequential(OrderedDict(parts))
            mods.append((name, Residual(main, shortcut)))
        else:
            raise ValueError(f"layer type '{t}' is not rebuilt by mien_pytorch.py; use the ONNX export")
    return mods


def build(meta):
    """The nn.Sequential of a Mien model's metadata (model.json), in eval mode, weights uninitialised."""
    spec, k = meta["spec"], len(meta["class_names"])
    shape = [1, spec["input_size"], spec["input_size"], False]
    mods = _sequence(spec["layers"], shape, "")
    c, h, w, flat = shape
    if not flat:
        mods.append(("flatten_out", nn.Flatten()))
        c = c * h * w
    mods.append(("classifier", nn.Linear(c, k)))
    return nn.Sequential(OrderedDict(mods)).eval()


def load(state_path, meta_path=None):
    """(network, metadata) from `mien export --pytorch`: the state dict and the .json beside it."""
    with open(meta_path or os.path.splitext(state_path)[0] + ".json", encoding="utf-8") as f:
        meta = json.load(f)
    net = build(meta)
    net.load_state_dict(torch.load(state_path), strict=True)
    return net, meta


def predict(net, meta, faces):
    """Probabilities (N x K) of grey uint8 faces N x S x S as Mien computes them: normalised, prior-corrected
    (logit_bias, if the model has one) and temperature-scaled."""
    x = torch.as_tensor(faces, dtype=torch.float32).unsqueeze(1)
    x = x * (1.0 / (255.0 * meta["std"])) - meta["mean"] / meta["std"]
    with torch.no_grad():
        logits = net(x)
        if meta.get("logit_bias") is not None:
            logits = logits + torch.tensor(meta["logit_bias"], dtype=torch.float32)
        return torch.softmax(logits / meta.get("temperature", 1.0), dim=1)

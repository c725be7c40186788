#!/usr/bin/env python3
"""PyTorch reference for bench/run.sh: the same networks, data, threads and batch size as the Mien side.

The networks are built from the layer specs that Mien.Bench exported (<work>/models/<preset>.json) by a line-by-line
port of src/Mien/Models/ModelBuilder.cs, so a preset edited in C# is benchmarked here unchanged. The port is checked
against Mien's parameter shapes, in registration order, before anything is timed: a mismatch exits non-zero.

Run with Debian's python3-torch and OPENBLAS_NUM_THREADS=1 (its OpenBLAS otherwise spawns threads that fight
PyTorch's OpenMP pool and cuts batch-1 inference ~4x; see docs/BENCHMARKS.md).
"""
import argparse, copy, json, os, statistics, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def native_bf16():
    """Same test as Mien's CpuFeatures.HasNativeBFloat16 (a oneDNN ISA cap below bf16 turns it off)."""
    cap = (os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA") or "").strip().upper()
    if cap and not (cap in ("DEFAULT", "ALL") or any(k in cap for k in ("BF16", "FP16", "AMX")) or cap.startswith("AVX10")):
        return False
    try:
        flags = next(l for l in open("/proc/cpuinfo") if l.startswith("flags")).split()
        return "avx512_bf16" in flags or "amx_bf16" in flags
    except (OSError, StopIteration):
        return False


# ---- ModelBuilder port (keep in step with src/Mien/Models/ModelBuilder.cs) ----

def activation(name, rate):
    name = name.strip().lower()
    table = {
        "relu": lambda: nn.ReLU(inplace=True), "leaky_relu": lambda: nn.LeakyReLU(rate if rate is not None else 0.01, inplace=True),
        "leakyrelu": lambda: nn.LeakyReLU(rate if rate is not None else 0.01, inplace=True), "elu": lambda: nn.ELU(inplace=True),
        "gelu": nn.GELU, "selu": lambda: nn.SELU(inplace=True), "silu": nn.SiLU, "swish": nn.SiLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
    }
    return table[name]()


def padding(p, k):
    p = None if p is None else str(p).strip().lower()
    return k // 2 if p in (None, "same") else 0 if p == "valid" else int(p)


class Residual(nn.Module):
    def __init__(self, main, shortcut):
        super().__init__()
        self.main, self.shortcut = main, shortcut  # same registration order as ResidualBlock.cs

    def forward(self, x):
        return self.main(x) + self.shortcut(x)


class Subsample(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        return x[:, :, ::self.stride, ::self.stride]


def build_sequence(layers, shape):
    """shape = (C, H, W, flat). Returns (modules, shape)."""
    mods = []
    c, h, w, flat = shape
    for l in layers:
        t = l["type"].strip().lower()
        bn, act, rate = l.get("batchnorm") is True, l.get("activation"), l.get("rate")
        if t in ("conv2d", "separable_conv2d"):
            f, k, s = l["filters"], l.get("kernel", 3), l.get("stride", 1)
            pad = padding(l.get("padding"), k)
            if t == "conv2d":
                mods.append(nn.Conv2d(c, f, k, stride=s, padding=pad, bias=not bn))
            else:
                mods.append(nn.Conv2d(c, c, k, stride=s, padding=pad, groups=c, bias=False))
                mods.append(nn.Conv2d(c, f, 1, bias=not bn))
            h, w, c = (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1, f
            if bn: mods.append(nn.BatchNorm2d(f))
            if act: mods.append(activation(act, rate))
        elif t in ("maxpool", "avgpool"):
            k = l.get("kernel", 2); s = l.get("stride", k)
            pad = 0 if l.get("padding") is None else padding(l["padding"], k)
            mods.append(nn.MaxPool2d(k, s, pad) if t == "maxpool" else nn.AvgPool2d(k, s, pad, count_include_pad=False))
            h, w = (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1
        elif t == "global_avg_pool":
            mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
            h, w, flat = 1, 1, True
        elif t == "flatten":
            if not flat:
                mods.append(nn.Flatten()); c, h, w, flat = c * h * w, 1, 1, True
        elif t == "dense":
            mods.append(nn.Linear(c, l["units"], bias=not bn)); c = l["units"]
            if bn: mods.append(nn.BatchNorm1d(c))
            if act: mods.append(activation(act, rate))
        elif t == "activation":
            mods.append(activation(act, rate))
        elif t == "batchnorm":
            mods.append(nn.BatchNorm1d(c) if flat else nn.BatchNorm2d(c))
        elif t == "dropout":
            r = rate if rate is not None else 0.5
            mods.append(nn.Dropout(r) if flat else nn.Dropout2d(r))
        elif t == "residual":
            c0, h0, w0 = c, h, w
            main, (c, h, w, flat) = build_sequence(l["layers"], (c, h, w, flat))
            if (c, h, w) == (c0, h0, w0) and l.get("shortcut_stride") is None:
                shortcut = nn.Identity()
            else:
                s = l.get("shortcut_stride") or max(1, h0 // h)
                # As ModelBuilder.cs: a strided 1x1 convolution written as subsample + 1x1 (same function and parameters).
                shortcut = nn.Sequential(nn.Conv2d(c0, c, 1, bias=False), nn.BatchNorm2d(c)) if s == 1 else \
                    nn.Sequential(Subsample(s), nn.Conv2d(c0, c, 1, bias=False), nn.BatchNorm2d(c))
            mods.append(Residual(nn.Sequential(*main), shortcut))
        else:
            raise ValueError(f"unknown layer type {t}")
    return mods, (c, h, w, flat)


def build(spec, classes):
    n = spec["input_size"]
    mods, (c, h, w, flat) = build_sequence(spec["layers"], (1, n, n, False))
    if not flat:
        mods.append(nn.Flatten()); c = c * h * w
    mods.append(nn.Linear(c, classes))
    return nn.Sequential(*mods)


# ---- timing, the same scheme as bench/Mien.Bench/Timing.cs ----

def stat(samples):
    s = sorted(samples)
    p95 = s[min(len(s) - 1, max(0, -(-95 * len(s) // 100) - 1))]
    return {"Median": statistics.median(s), "P95": p95, "Mean": statistics.fmean(s), "Min": s[0], "Max": s[-1], "N": len(s), "Samples": list(samples)}


def throughput(warmup, runs, items, fn):
    for _ in range(warmup): fn()
    rates = []
    for _ in range(runs):
        t = time.perf_counter(); fn(); rates.append(items / (time.perf_counter() - t))
    return stat(rates)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True); ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=0); ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=3); ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--train-steps", type=int, default=10); ap.add_argument("--infer-iters", type=int, default=10)
    ap.add_argument("--images", type=int); ap.add_argument("--fit-images", type=int)  # Mien.Bench's; accepted so run.sh passes one list
    a = ap.parse_args()
    # Debian's build starts with 1 intra-op thread here; Mien uses one per core. Always set it explicitly.
    torch.set_num_threads(a.threads if a.threads > 0 else os.cpu_count())

    meta = json.load(open(os.path.join(a.work, "dataset.json")))
    n, size = meta["count"], meta["size"]
    pixels = np.fromfile(os.path.join(a.work, "faces.u8"), dtype=np.uint8).reshape(n, 1, size, size)
    x = (torch.from_numpy(pixels).float() / 255.0 - meta["mean"]) / meta["std"]  # EmotionModel.ToInput
    y = torch.from_numpy(np.fromfile(os.path.join(a.work, "labels.i32"), dtype=np.int32).astype(np.int64))

    results, bad = [], []
    for name in sorted(f for f in os.listdir(os.path.join(a.work, "models")) if f.endswith(".json")):  # (the .mien files are Mien's)
        info = json.load(open(os.path.join(a.work, "models", name)))
        torch.manual_seed(42)
        net = build(info["spec"], info["classes"])
        shapes = [list(p.shape) for p in net.parameters()]
        params = sum(p.numel() for p in net.parameters())
        same = shapes == info["parameterShapes"] and params == info["parameters"]
        print(f"{info['name']}: PyTorch {params:,} parameters, Mien {info['parameters']:,} -> {'match' if same else 'MISMATCH'}", file=sys.stderr)
        if not same:
            bad.append(info["name"]); print(f"  PyTorch shapes {shapes}\n  Mien shapes    {info['parameterShapes']}", file=sys.stderr); continue

        # Training: Trainer.cs's inner loop (index_select, forward, cross-entropy with label smoothing 0.1, backward, AdamW),
        # channels-last where Trainer trains so (MemoryLayout.CanTrainChannelsLast: no strided 1x1 convolution), on a copy
        # so the inference timings below see the network as built.
        cl_train = not any(isinstance(m, nn.Conv2d) and tuple(m.kernel_size) == (1, 1) and max(m.stride) > 1 for m in net.modules())
        tnet = copy.deepcopy(net).to(memory_format=torch.channels_last) if cl_train else net
        layout = (lambda t: t.contiguous(memory_format=torch.channels_last)) if cl_train else (lambda t: t)
        tnet.train()
        opt = torch.optim.AdamW(tnet.parameters(), lr=2e-3, weight_decay=5e-4)
        perm, per_epoch, step = torch.randperm(n, generator=torch.Generator().manual_seed(42)), n // a.batch, [0]

        def train_steps():
            for _ in range(a.train_steps):
                idx = perm.narrow(0, step[0] % per_epoch * a.batch, a.batch); step[0] += 1
                opt.zero_grad()
                loss = F.cross_entropy(tnet(layout(x.index_select(0, idx))), y.index_select(0, idx), label_smoothing=0.1)
                loss.backward(); opt.step(); loss.item()

        train = throughput(a.warmup, a.runs, a.train_steps * a.batch, train_steps)

        # PyTorch's own mixed-precision recipe, against Mien's --precision bf16: CPU autocast to bfloat16.
        def train_steps_bf16():
            for _ in range(a.train_steps):
                idx = perm.narrow(0, step[0] % per_epoch * a.batch, a.batch); step[0] += 1
                opt.zero_grad()
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    logits = tnet(layout(x.index_select(0, idx)))
                loss = F.cross_entropy(logits.float(), y.index_select(0, idx), label_smoothing=0.1)
                loss.backward(); opt.step(); loss.item()

        train_bf16 = throughput(a.warmup, a.runs, a.train_steps * a.batch, train_steps_bf16) if native_bf16() else None

        net.eval()
        def infer(batch, iters):
            xb = x[:batch].contiguous()
            def run():
                with torch.inference_mode():
                    for _ in range(iters): F.softmax(net(xb), 1)
            return throughput(a.warmup, a.runs, iters * batch, run)

        b1, b64 = infer(1, a.infer_iters * 8), infer(a.batch, a.infer_iters)

        # PyTorch's own inference recipes, against Mien's compiled models: TorchScript frozen and optimised for
        # inference (folds batch norm, oneDNN layouts) in float32; bfloat16 channels-last where the CPU has bf16.
        def infer_with(model, batch, iters, prepare):
            xb = prepare(x[:batch])
            def run():
                with torch.inference_mode():
                    for _ in range(iters): F.softmax(model(xb).float(), 1)
            return throughput(a.warmup, a.runs, iters * batch, run)

        with torch.no_grad():
            frozen = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(net)))
        optimized = {"batch1": infer_with(frozen, 1, a.infer_iters * 8, lambda t: t.contiguous()),
                     "batch64": infer_with(frozen, a.batch, a.infer_iters, lambda t: t.contiguous())}
        bf16 = None
        if native_bf16():
            half = copy.deepcopy(net).to(memory_format=torch.channels_last).to(torch.bfloat16)
            cl = lambda t: t.to(torch.bfloat16).contiguous(memory_format=torch.channels_last)
            bf16 = {"batch1": infer_with(half, 1, a.infer_iters * 8, cl), "batch64": infer_with(half, a.batch, a.infer_iters, cl)}
        print(f"{info['name']}: train {train['Median']:.0f} img/s; inference batch 1 {b1['Median']:.0f}, batch {a.batch} {b64['Median']:.0f} faces/s; "
              f"optimized fp32 {optimized['batch64']['Median']:.0f}" + (f", bf16 channels-last {bf16['batch64']['Median']:.0f}" if bf16 else ""), file=sys.stderr)
        results.append({"preset": info["name"], "parameters": params, "mienParameters": info["parameters"], "parametersMatch": same,
                        "train": train, "trainBf16": train_bf16, "trainChannelsLast": cl_train, "inferBatch1": b1, "inferBatch64": b64, "optimizedFp32": optimized, "bf16ChannelsLast": bf16})

    json.dump({"engine": "PyTorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
               "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS"),
               "mallocMmapThreshold": os.environ.get("MALLOC_MMAP_THRESHOLD_"), "oneDnnMaxCpuIsa": os.environ.get("ONEDNN_MAX_CPU_ISA"),
               "atenCpuCapability": os.environ.get("ATEN_CPU_CAPABILITY"), "nativeBFloat16": native_bf16(), "batch": a.batch, "warmup": a.warmup, "runs": a.runs,
               "trainSteps": a.train_steps, "inferIters": a.infer_iters, "command": " ".join(sys.argv), "presets": results},
              open(a.out, "w"), indent=2)
    if bad:
        sys.exit(f"pytorch_reference: architecture mismatch for {', '.join(bad)}")


if __name__ == "__main__":
    main()

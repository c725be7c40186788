#!/usr/bin/env python3
"""PyTorch's half of `Mien.Bench layers`: forward and backward time of each top-level layer of the presets' PyTorch
ports in training (channels-last where Mien's Trainer trains so), on the layer specs `Mien.Bench speed` wrote to --work.
Usage: /usr/bin/python3 bench/pytorch_layers.py --work DIR --out FILE [--batch 64] [--threads 2] [--presets a,b]"""
import argparse, json, os, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_reference import build, stat  # the same ports the speed reference times


def latency(warmup, runs, fn):
    for _ in range(warmup): fn()
    ms = []
    for _ in range(runs):
        t = time.perf_counter(); fn(); ms.append((time.perf_counter() - t) * 1000)
    return stat(ms)


def step_phases(net, size, cl, batch, warmup, runs):
    """The phases of whole training steps, as Mien.Bench layers times them (zero_grad, forward, loss, backward, AdamW, item)."""
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=5e-4)
    x, y = torch.randn(batch, 1, size, size), torch.randint(0, 7, (batch,))
    names = ["zero_grad", "forward", "loss", "backward", "optimizer", "item", "total"]
    samples = {n: [] for n in names}
    for i in range(warmup + runs):
        t, start = [], time.perf_counter()
        def mark(): t.append((time.perf_counter() - start) * 1000 - sum(t))
        opt.zero_grad(); mark()
        logits = net(x.contiguous(memory_format=torch.channels_last) if cl else x); mark()
        loss = F.cross_entropy(logits, y, label_smoothing=0.1); mark()
        loss.backward(); mark()
        opt.step(); mark()
        loss.item(); mark()
        t.append((time.perf_counter() - start) * 1000)
        if i >= warmup:
            for n, v in zip(names, t): samples[n].append(v)
    return {n: stat(v) for n, v in samples.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True); ap.add_argument("--out", required=True)
    ap.add_argument("--batch", type=int, default=64); ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=3); ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--presets", default="")
    a = ap.parse_args()
    torch.set_num_threads(a.threads if a.threads > 0 else os.cpu_count())
    wanted = [p for p in a.presets.split(",") if p]
    results = []
    for name in sorted(f for f in os.listdir(os.path.join(a.work, "models")) if f.endswith(".json")):
        info = json.load(open(os.path.join(a.work, "models", name)))
        if wanted and info["name"] not in wanted: continue
        torch.manual_seed(42)
        net = build(info["spec"], info["classes"])
        net.train()
        cl = not any(isinstance(m, nn.Conv2d) and tuple(m.kernel_size) == (1, 1) and max(m.stride) > 1 for m in net.modules())
        if cl: net = net.to(memory_format=torch.channels_last)
        size = info["spec"].get("input_size", 48)
        x = torch.randn(a.batch, 1, size, size)
        if cl: x = x.contiguous(memory_format=torch.channels_last)
        layers, fsum, bsum = [], 0.0, 0.0
        for i, layer in enumerate(net.children()):
            # Each call on a fresh clone of a leaf, as Mien.Bench layers does (in-place ReLUs): forward includes one input copy.
            leaf = x.detach().requires_grad_()
            f = latency(a.warmup, a.runs, lambda: layer(leaf.clone()))
            inp = leaf.clone()
            out = layer(inp)
            grad = torch.randn_like(out)
            b = latency(a.warmup, a.runs, lambda: out.backward(grad, retain_graph=True))
            fsum += f["Median"]; bsum += b["Median"]
            layers.append({"layer": str(i), "type": type(layer).__name__, "output": list(out.shape), "forwardMs": f, "backwardMs": b})
            print(f"{info['name']} {i} {type(layer).__name__} {'x'.join(map(str, out.shape))}: forward {f['Median']:.2f} ms, backward {b['Median']:.2f} ms", file=sys.stderr)
            x = out.detach()
        print(f"{info['name']}: layers' sum forward {fsum:.1f} ms + backward {bsum:.1f} ms at batch {a.batch}", file=sys.stderr)
        step = step_phases(net, size, cl, a.batch, a.warmup, a.runs)
        print(f"{info['name']}: whole step " + ", ".join(f"{k} {v['Median']:.2f}" for k, v in step.items()) + " ms", file=sys.stderr)
        results.append({"preset": info["name"], "channelsLast": cl, "batch": a.batch, "layers": layers, "forwardMs": fsum, "backwardMs": bsum, "step": step})
    json.dump({"engine": f"PyTorch {torch.__version__}", "threads": torch.get_num_threads(), "presets": results}, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()

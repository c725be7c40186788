#!/usr/bin/env python3
"""Turns bench/run.sh's raw measurements into <results>/*.json and the tables of docs/BENCHMARKS.md. Stdlib only.

  report.py env --threads N      the machine (CPU, clock, FP32 peak, versions, commit) as JSON on stdout
  report.py doc --results DIR --doc FILE   regenerates the doc only (e.g. after editing its intro)
  report.py build --mode M --results DIR --groups speed,latency,video,accuracy --accuracy-runs DIR --doc FILE
      combines <results>/raw/* of the groups just run into <results>/{training,inference,cost,latency,video,accuracy}.json,
      regenerates the doc from every result file present (so an `--only` run keeps the other sections), and exits 1
      if a group just run has a missing, empty or zero number.
"""
import argparse, datetime, json, math, os, re, subprocess, sys

INTRO_BEGIN, INTRO_END = "<!-- intro:begin (hand-written; bench/report.py keeps it) -->", "<!-- intro:end -->"
TARGET_MS = 25  # end-to-end photo latency target (issue 3)
TARGET_FACES_PER_S = 2000  # classification throughput target for ready 48x48 faces in batches (issue 3)
def presets():
    """The registered presets, from the library's registry (`mien models --names`), not a list kept here."""
    cli = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "Mien.Cli", "bin", "Release", "net10.0", "Mien.Cli.dll")
    names = sh("dotnet", cli, "models", "--names").split()
    if not names:
        sys.exit(f"report: `dotnet {cli} models --names` listed no presets (is the CLI built?)")
    return names


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def load(path):
    with open(path) as f:
        return json.load(f)


def save(path, value):
    with open(path + ".tmp", "w") as f:
        json.dump(value, f, indent=2)
    os.replace(path + ".tmp", path)


# ---------------------------------------------------------------- environment

def flops_per_cycle(vendor, family, flags):
    """FP32 FLOPs per cycle per core = FMA pipes x lanes x 2. An assumption from the CPU family: state it."""
    if os.environ.get("MIEN_BENCH_FLOPS_PER_CYCLE"):
        return int(os.environ["MIEN_BENCH_FLOPS_PER_CYCLE"]), "set by MIEN_BENCH_FLOPS_PER_CYCLE"
    if vendor == "AuthenticAMD" and family == 26:
        return 64, "AMD Zen 5: 2 x 512-bit FMA pipes x 16 FP32 lanes x 2"
    if vendor == "AuthenticAMD" and family in (23, 25):
        return 32, "AMD Zen 2/3/4: 2 x 256-bit FMA pipes x 8 FP32 lanes x 2 (Zen 4 runs AVX-512 on the same 256-bit pipes)"
    if "avx512f" in flags:
        return 64, "Intel AVX-512: 2 x 512-bit FMA units x 16 FP32 lanes x 2 (half on parts with one unit)"
    if "fma" in flags:
        return 32, "AVX2: 2 x 256-bit FMA units x 8 FP32 lanes x 2"
    return 8, "SSE: no FMA, 4 lanes x 2 ops"


def environment(threads):
    info = {}
    for line in sh("lscpu").splitlines():
        if ":" in line:
            k, v = line.split(":", 1); info[k.strip()] = v.strip()
    cores = int(info.get("Core(s) per socket", "1")) * int(info.get("Socket(s)", "1"))
    if info.get("CPU max MHz"):
        mhz, mhz_source = float(info["CPU max MHz"]), "lscpu 'CPU max MHz'"
    else:  # virtual machines often hide it; /proc/cpuinfo then gives the nominal clock, so the peak is a lower bound
        mhz = max([float(l.split(":")[1]) for l in open("/proc/cpuinfo") if l.startswith("cpu MHz")] or [0])
        mhz_source = "/proc/cpuinfo 'cpu MHz' (lscpu shows no max MHz here)"
    vendor, family, model = info.get("Vendor ID", ""), int(info.get("CPU family", "0") or 0), int(info.get("Model", "0") or 0)
    fpc, why = flops_per_cycle(vendor, family, info.get("Flags", "").split())
    os_name = next((l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release") if l.startswith("PRETTY_NAME=")), "")
    # The instruction sets the fast paths depend on (oneDNN's AVX-512 / bf16 / VNNI kernels, ONNX Runtime's int8), so a
    # table says which of them the CPU had; ONEDNN_MAX_CPU_ISA records a run made with oneDNN capped below them.
    flags = set(info.get("Flags", "").split())
    isa = [name for flag, name in (("avx2", "AVX2"), ("fma", "FMA"), ("avx512f", "AVX-512F"), ("avx512_vnni", "AVX512-VNNI"),
                                   ("avx_vnni", "AVX-VNNI"), ("avx512_bf16", "AVX512-BF16"), ("amx_tile", "AMX"))
           if flag in flags]
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": info.get("Model name", "?"), "vendor": vendor, "family": family, "model": model,
        "cores": cores, "logicalCpus": int(info.get("CPU(s)", cores)), "threads": threads,
        "isa": isa, "onednnMaxCpuIsa": os.environ.get("ONEDNN_MAX_CPU_ISA") or None,
        "mhz": mhz, "mhzSource": mhz_source, "flopsPerCycle": fpc, "flopsPerCycleAssumption": why,
        "peakGflops": cores * mhz / 1000 * fpc, "os": os_name, "kernel": sh("uname", "-r"), "dotnet": sh("dotnet", "--version"),
        "commit": sh("git", "rev-parse", "--short", "HEAD") + ("+dirty" if sh("git", "status", "--porcelain") else ""),
    }


# ---------------------------------------------------------------- combining raw files

def median(stat):
    return stat["Median"] if stat else 0.0


def ratio(a, b):
    return a / b if b else 0.0


def build_speed(raw, base):
    mien, torch = load(f"{raw}/mien-speed.json"), load(f"{raw}/pytorch-speed.json")
    env = base["environment"]
    used = min(env["threads"], env["cores"])  # the share of peak is of the cores the benchmark was allowed to use
    peak = env["peakGflops"] * used / env["cores"]
    ref = {p["preset"]: p for p in torch["presets"]}
    engines = {"mien": f"Mien (TorchSharp {mien['torchSharp']})", "pytorch": f"PyTorch {torch['torch']}",
               "threads": {"mien": mien["threads"], "pytorch": torch["threads"]}, "pytorchOpenblasThreads": torch["openblasThreads"], "batch": mien["batch"]}
    training, inference, cost = [], [], []
    for m in mien["presets"]:
        t = ref.get(m["preset"], {})
        mflops = m["flops"] / 1e6
        training.append({"preset": m["preset"], "mien": m["train"], "mienAugmented": m["trainAugmented"],
                         "mienTrainerFitImagesPerSecond": m["trainerFitImagesPerSecond"], "pytorch": t.get("train"),
                         "channelsLast": m.get("trainChannelsLast"),
                         "ratio": ratio(median(m["train"]), median(t.get("train"))),
                         # --precision bf16 against PyTorch's CPU autocast (both only where the CPU has native bf16)
                         "mienBf16": m.get("trainBf16"), "pytorchBf16": t.get("trainBf16"),
                         "ratioBf16": ratio(median(m.get("trainBf16")), median(t.get("trainBf16")))})
        inference.append({"preset": m["preset"], "mien": {"batch1": m["inferBatch1"], "batch64": m["inferBatch64"]},
                          "mienApi": {"batch1": m["apiBatch1"], "batch64": m["apiBatch64"]},
                          "pytorch": {"batch1": t.get("inferBatch1"), "batch64": t.get("inferBatch64")},
                          "ratio": {"batch1": ratio(median(m["inferBatch1"]), median(t.get("inferBatch1"))),
                                    "batch64": ratio(median(m["inferBatch64"]), median(t.get("inferBatch64")))},
                          # Each engine's inference recipe: Mien's compiled model (what `mien predict` runs) against
                          # PyTorch's TorchScript freeze + optimize_for_inference (fp32) and bf16 channels-last.
                          "mienCompiled": m.get("compiled"), "pytorchOptimizedFp32": t.get("optimizedFp32"), "pytorchBf16ChannelsLast": t.get("bf16ChannelsLast"),
                          "shippedBatch64": median(m["compiled"][m["compiled"]["auto"]]["batch64"]) if m.get("compiled") else None,
                          "targetFacesPerSecond": TARGET_FACES_PER_S})
        inference[-1]["meetsTarget"] = bool(inference[-1]["shippedBatch64"] and inference[-1]["shippedBatch64"] >= TARGET_FACES_PER_S)
        # Training costs ~3x the forward FLOPs (forward, gradient w.r.t. activations, gradient w.r.t. weights).
        g = lambda images_per_s, mult=1: mult * mflops * images_per_s / 1000
        cost.append({"preset": m["preset"], "parameters": m["parameters"], "pytorchParameters": t.get("parameters"),
                     "parametersMatch": bool(t.get("parametersMatch")) and t.get("parameters") == m["parameters"],
                     "mflopsPerFace": mflops, "multiplyAddsPerFace": m["flops"] // 2,
                     "trainingGflops": {"mien": g(median(m["train"]), 3), "pytorch": g(median(t.get("train")), 3)},
                     "inferenceGflops": {"mienBatch64": g(median(m["inferBatch64"])), "mienBatch1": g(median(m["inferBatch1"])),
                                         "pytorchBatch64": g(median(t.get("inferBatch64")))},
                     "percentOfPeak": {"training": 100 * g(median(m["train"]), 3) / peak, "inferenceBatch64": 100 * g(median(m["inferBatch64"])) / peak}})
    return ({**base, "benchmark": "training", **engines, "unit": "images/s", "presets": training},
            {**base, "benchmark": "inference", **engines, "unit": "faces/s", "presets": inference, "backbones": mien.get("backbones", []),
             "engines": mien.get("engines")},
            {**base, "benchmark": "cost", "peak": {**{k: env[k] for k in ("cores", "mhz", "mhzSource", "flopsPerCycle", "flopsPerCycleAssumption")},
                                                   "usedCores": used, "peakGflops": peak},
             "presets": cost})


def build_latency(raw, base):
    lat = load(f"{raw}/latency.json")
    for t in lat["byThreads"]:
        for v in t["variants"]:
            v["meetsTarget"] = v["faces"] > 0 and median(v["endToEnd"]) <= TARGET_MS  # no face: nothing was classified
    return {**base, "benchmark": "latency", "targetMs": TARGET_MS, **lat}


def build_video(raw, base):
    return {**base, "benchmark": "video", **load(f"{raw}/video.json")}


def field(doc, snake):
    """A field of a run file by its snake_case name (Mien's JSON style), or by the camelCase name older runs used."""
    if snake in doc:
        return doc[snake]
    head, *rest = snake.split("_")
    return doc[head + "".join(w.title() for w in rest)]


def build_accuracy(runs, base):
    epochs = {}
    for cmd in base["commands"]:
        out, ep = re.search(r"--out (\S+)", cmd), re.search(r"--epochs (\d+)", cmd)
        if out:
            epochs[os.path.basename(out.group(1))] = int(ep.group(1)) if ep else None
    rows = []
    for p in presets():
        row = {"preset": p}
        for kind in ("ck7", "ck6"):
            d = f"{runs}/{kind}-{p}"
            if os.path.exists(f"{d}/cv.json"):
                cv = load(f"{d}/cv.json")
                folds = field(cv, "per_fold")
                settings = cv.get("settings") or {}
                row[kind] = {"meanAccuracy": field(cv, "mean_accuracy"), "stdAccuracy": field(cv, "std_accuracy"), "folds": cv["folds"],
                             "grouped": cv["grouped"], "minutes": cv["minutes"], "epochs": settings.get("epochs", epochs.get(f"{kind}-{p}")),
                             "testImages": sum(f["count"] for f in folds),
                             "balancedAccuracy": sum(field(f, "balanced_accuracy") for f in folds) / len(folds)}
        d = f"{runs}/fer-{p}"
        if os.path.exists(f"{d}/metrics.json"):
            m = load(f"{d}/metrics.json")
            settings = load(f"{d}/options.json").get("options", {}) if os.path.exists(f"{d}/options.json") else {}
            row["fer"] = {"accuracy": m["validation"]["accuracy"], "macroF1": field(m["validation"], "macro_f1"), "testImages": m["validation"]["count"],
                          "bestEpoch": m["best_epoch"], "epochs": settings.get("epochs", epochs.get(f"fer-{p}")), "minutes": m["minutes"], "imagesPerSecond": m["images_per_second"]}
        rows.append(row)
    return {**base, "benchmark": "accuracy", "presets": rows}


# ---------------------------------------------------------------- checks

def check(results, groups):
    problems = []

    def positive(where, x):
        if not isinstance(x, (int, float)) or math.isnan(x) or x <= 0:
            problems.append(f"{where}: {x!r}")

    if "speed" in groups:
        tr, inf, cost = (load(f"{results}/{n}.json") for n in ("training", "inference", "cost"))
        if len(tr["presets"]) < len(presets()): problems.append(f"training: {len(tr['presets'])} presets")
        for t, i, c in zip(tr["presets"], inf["presets"], cost["presets"]):
            p = t["preset"]
            for k in ("mien", "mienAugmented", "pytorch"): positive(f"training {p} {k}", median(t[k]))
            positive(f"training {p} Trainer.Fit", t["mienTrainerFitImagesPerSecond"])
            for e in ("mien", "mienApi", "pytorch", "pytorchOptimizedFp32"):
                for b in ("batch1", "batch64"): positive(f"inference {p} {e} {b}", median(i[e][b]))
            for k in ("fp32", "bf16"):
                if k == "fp32" or i["mienCompiled"].get(k) is not None:
                    for b in ("batch1", "batch64"): positive(f"inference {p} compiled {k} {b}", median(i["mienCompiled"][k][b]))
            if not c["parametersMatch"]: problems.append(f"{p}: Mien has {c['parameters']} parameters, PyTorch {c['pytorchParameters']}")
            positive(f"cost {p} MFLOPs", c["mflopsPerFace"])
        for e in ((inf.get("engines") or {}).get("engines") or []):
            if "skipped" in e: continue
            for k in ("batch1", "batchN", "photo"): positive(f"engines {e['engine']} {k}", median(e[k]))
    if "latency" in groups:
        lat = load(f"{results}/latency.json")
        if not lat["byThreads"]: problems.append("latency: nothing measured")
        for t in lat["byThreads"]:
            for k in ("decode", "cropClassify", "classify"): positive(f"latency {t['threads']} threads {k}", median(t[k]))
            if not t["variants"]: problems.append("latency: no variants")
            for v in t["variants"]:
                for k in ("endToEnd", "detect"): positive(f"latency {t['threads']} threads {v['detector']} {v['maxDetectionSide']} {k}", median(v[k]))
            if t["variants"] and t["variants"][0]["faces"] < 1:
                problems.append(f"latency: {t['variants'][0]['detector']} found no face in the test photo (nothing was classified)")
    if "video" in groups:
        vid = load(f"{results}/video.json")
        if not vid["results"]: problems.append("video: nothing measured")
        for v in vid["results"]:
            positive(f"video {v['width']}x{v['height']} every {v['detectEvery']} frames/s", median(v["framesPerSecond"]))
            if v["faces"] < 1: problems.append(f"video {v['width']}x{v['height']}: no face found (nothing was classified)")
    if "accuracy" in groups:
        for row in load(f"{results}/accuracy.json")["presets"]:
            for kind, key in (("ck7", "meanAccuracy"), ("ck6", "meanAccuracy"), ("fer", "accuracy")):
                r = row.get(kind)
                if r is None: problems.append(f"accuracy {kind} {row['preset']}: no result"); continue
                positive(f"accuracy {kind} {row['preset']}", r[key]); positive(f"accuracy {kind} {row['preset']} minutes", r["minutes"])
    return problems


# ---------------------------------------------------------------- markdown

def n0(x): return f"{x:,.0f}" if x else "–"
def f1(x): return f"{x:.1f}"
def pct(x): return f"{100 * x:.1f}%"


def header(r, commands=True):
    e = r["environment"]
    isa = ""
    if e.get("isa") is not None:  # older result files predate the field
        isa = f"; {' '.join(e['isa']) or 'none of AVX2, AVX-512, VNNI, BF16, AMX'}"
        if e.get("onednnMaxCpuIsa"): isa += f", oneDNN capped at ONEDNN_MAX_CPU_ISA={e['onednnMaxCpuIsa']}"
    lines = [f"_Measured {e['date']} on {e['cpu']} (family {e['family']}, model {e['model']}; {e['cores']} cores{isa}), "
             f"{e['threads']} threads, {e['os']}, .NET {e['dotnet']}, commit {e['commit']}; mode **{r['mode']}**._"]
    if r["mode"] == "quick":
        lines.append("\n> **Quick mode**: smoke-test settings (few runs, tiny data). These numbers prove the code path, not the speed or accuracy.")
    if r["mode"] == "busy":
        lines.append("\n> **Measured on a busy CPU** (shared with a training run and other jobs; see the load average): a brief run "
                     "(few frames, one repeat) at low priority. The numbers say what this machine gave at that moment, not what the code "
                     "does on an idle one; rerun `bench/run.sh --full --only video` on a quiet machine.")
    if commands:
        lines.append("\n<details><summary>Commands</summary>\n\n```sh\n" + "\n".join(r["commands"]) + "\n```\n</details>\n")
    else:
        lines.append("\n(Same run and commands as the training table.)\n")
    return "\n".join(lines)


def section_training(r):
    out = ["## Training speed", "", header(r),
           f"Images per second, batch {r['batch']}, median of {r['presets'][0]['mien']['N']} timed runs after warm-up; same faces (FER2013), "
           f"same architectures, same threads ({r['threads']['mien']} Mien, {r['threads']['pytorch']} PyTorch; PyTorch with "
           f"OPENBLAS_NUM_THREADS={r['pytorchOpenblasThreads']}). Step = index_select from the in-memory tensor, forward, cross-entropy "
           "(label smoothing 0.1), backward, AdamW. *+aug* adds Mien's batch augmentation; *Trainer.Fit* is the product's own loop "
           "(2nd epoch, augmentation and progress included). *layout*: both engines train channels-last (NHWC) where Mien's "
           "`Trainer` does, i.e. unless the network has a strided 1x1 convolution (LibTorch 2.10 crashes in its channels-last backward).",
           "", f"| preset | layout | Mien | Mien +aug | Mien Trainer.Fit | {r['pytorch']} | Mien / PyTorch |", "|---|---|--:|--:|--:|--:|--:|"]
    for p in r["presets"]:
        layout = {True: "NHWC", False: "NCHW"}.get(p.get("channelsLast"), "?")
        out.append(f"| {p['preset']} | {layout} | {n0(median(p['mien']))} | {n0(median(p['mienAugmented']))} | {n0(p['mienTrainerFitImagesPerSecond'])} | "
                   f"{n0(median(p['pytorch']))} | {p['ratio']:.2f} |")
    bf16 = [p for p in r["presets"] if p.get("mienBf16") and p.get("pytorchBf16")]
    if bf16:
        out += ["", "**Mixed bf16** (this CPU has native bfloat16): the same step with `--precision bf16` "
                "(`MixedPrecision`: convolutions and dense layers in bf16, fp32 master weights) against PyTorch's CPU autocast to bf16.", "",
                f"| preset | Mien bf16 | {r['pytorch']} autocast bf16 | Mien / PyTorch (bf16) | Mien bf16 / Mien fp32 |", "|---|--:|--:|--:|--:|"]
        for p in bf16:
            out.append(f"| {p['preset']} | {n0(median(p['mienBf16']))} | {n0(median(p['pytorchBf16']))} | {p['ratioBf16']:.2f} | "
                       f"{ratio(median(p['mienBf16']), median(p['mien'])):.2f} |")
    return "\n".join(out)


def section_inference(r):
    out = ["## Inference speed", "", header(r, commands=False),
           "Faces per second in evaluation mode (inference_mode), median of timed runs, freshly initialised weights.", "",
           "**The network as built** (forward + softmax on a ready float32 tensor, `nn.Module` in both engines): the "
           "like-for-like comparison of the engines.", "",
           "| preset | Mien batch 1 | PyTorch batch 1 | ratio | Mien batch 64 | PyTorch batch 64 | ratio |",
           "|---|--:|--:|--:|--:|--:|--:|"]
    for p in r["presets"]:
        m, t = p["mien"], p["pytorch"]
        out.append(f"| {p['preset']} | {n0(median(m['batch1']))} | {n0(median(t['batch1']))} | {p['ratio']['batch1']:.2f} | "
                   f"{n0(median(m['batch64']))} | {n0(median(t['batch64']))} | {p['ratio']['batch64']:.2f} |")
    out += ["", "**As each engine serves a trained model.** Mien: the model as `EmotionModel.Load` returns it (compiled by "
            "`InferencePlan`: batch norm folded, channels-last, bf16 where the CPU has it natively), through "
            "`PredictProbabilities` from grey bytes to probability arrays, normalisation and copies included; *shipped* is the "
            "precision `auto` picks here, which is what `mien predict` runs. PyTorch: `torch.jit.optimize_for_inference("
            "torch.jit.freeze(torch.jit.script(net)))` in fp32, and the module in bf16 channels-last, on a ready tensor. "
            f"Target (issue 3): {TARGET_FACES_PER_S:,} faces/s in batches.", "",
            "| preset | Mien fp32 batch 1 | Mien fp32 batch 64 | PyTorch optimized fp32 batch 64 | Mien bf16 batch 1 | Mien bf16 batch 64 | PyTorch bf16 batch 64 | shipped (precision) batch 64 | target |",
            "|---|--:|--:|--:|--:|--:|--:|--:|:-:|"]
    for p in r["presets"]:
        c, o, h = p.get("mienCompiled") or {}, p.get("pytorchOptimizedFp32") or {}, p.get("pytorchBf16ChannelsLast") or {}
        f32, b16 = c.get("fp32") or {}, c.get("bf16") or {}
        out.append(f"| {p['preset']} | {n0(median(f32.get('batch1')))} | {n0(median(f32.get('batch64')))} | {n0(median(o.get('batch64')))} | "
                   f"{n0(median(b16.get('batch1')))} | {n0(median(b16.get('batch64')))} | {n0(median(h.get('batch64')))} | "
                   f"**{n0(p.get('shippedBatch64'))}** ({c.get('auto', '–')}) | {'met' if p.get('meetsTarget') else 'not met'} |")
    if r.get("backbones"):
        size = r["backbones"][0]["inputSize"]
        out += ["", f"**Pretrained backbones, same run**, as `mien predict` loads them (saved, loaded, compiled where the inference plan "
                f"knows every layer: all of them here; the *path* column says which ran compiled), {size}x{size} grey faces, random weights and pixels "
                "(speed does not depend on them). Inference only: training them and a PyTorch reference are not part of the speed run.", "",
                f"| backbone | input | parameters | MFLOPs/face | batch 1 faces/s | batch {r['batch']} faces/s | path |", "|---|--:|--:|--:|--:|--:|---|"]
        for b in r["backbones"]:
            if "error" in b:
                why = ("LibTorch read a freed Scalar (TorchSharp's implicit Scalars, see docs/ARCHITECTURE.md)"
                       if "Expected false to be true" in b["error"] else b["error"][:80])
                out.append(f"| {b['backbone']} | {b['inputSize']} | {n0(b['parameters'])} | {f1(b['flops'] / 1e6)} | – | – | failed: {why} |")
                continue
            out.append(f"| {b['backbone']} | {b['inputSize']} | {n0(b['parameters'])} | {f1(b['flops'] / 1e6)} | {n0(median(b['batch1']))} | "
                       f"{n0(median(b['batchN']))} | {b['precision']} |")
    if r.get("engines"):
        out += section_engines(r["engines"])
    return "\n".join(out)


ENGINE_TITLES = {"torch-fp32": "LibTorch fp32 (`--precision fp32`)", "torch-bf16": "LibTorch bf16 (`--precision bf16`)",
                 "onnx-fp32": "ONNX Runtime fp32 (`--backend onnx`)", "onnx-int8": "ONNX Runtime int8 (`--onnx-model m.int8.onnx`)"}


def section_engines(e):
    """One trained model on every engine in the same run (issue #13, acceptance 3)."""
    mb = lambda b: f"{b / 1e6:.1f} MB" if b else "–"
    out = ["", f"**One trained model on each engine, same run** ({e['model']}): ready 48x48 faces per second through "
           f"`EmotionRecognizer.PredictCrops` at batch 1 and batch {e['batch']}, and one 640x480 photo end to end "
           f"(`Predict`: decode, detect with the default haar-alt, crop, classify; median and p95 of {e['latencyRuns']} runs). "
           f"LibTorch uses the benchmark's threads, ONNX Runtime {e['onnxThreads']}. ONNX files: fp32 {mb(e['fp32OnnxBytes'])}, "
           f"int8 {mb(e.get('int8OnnxBytes'))}" + (f" ({e['int8Quantization']})" if e.get("int8Quantization") else "") + ".", "",
           f"| engine | batch 1 faces/s | batch {e['batch']} faces/s | photo median (ms) | photo p95 (ms) |", "|---|--:|--:|--:|--:|"]
    for x in e["engines"]:
        title = ENGINE_TITLES.get(x["engine"], x["engine"])
        if "skipped" in x:
            out.append(f"| {title} | – | – | – | – (skipped: {x['skipped']}) |")
            continue
        out.append(f"| {title} | {n0(median(x['batch1']))} | {n0(median(x['batchN']))} | {f1(median(x['photo']))} | {f1(x['photo']['P95'])} |")
    return out


def section_cost(r):
    pk = r["peak"]
    out = ["## Model cost and achieved FLOP/s", "", header(r, commands=False),
           f"FP32 peak assumed: {pk['usedCores']} cores x {pk['mhz'] / 1000:.2f} GHz x {pk['flopsPerCycle']} FLOPs/cycle = "
           f"**{pk['peakGflops']:.0f} GFLOP/s** ({pk['flopsPerCycleAssumption']}; clock from {pk['mhzSource']}). "
           "FLOPs per face = 2 x multiply-adds from `ModelBuilder.Summarize` (convolutions and dense layers; pooling, batch norm "
           "and activations not counted). Training GFLOP/s = 3 x forward FLOPs x images/s.", "",
           "| preset | parameters (Mien = PyTorch) | MFLOPs/face | training GFLOP/s Mien (PyTorch) | % of peak | inference GFLOP/s batch 64 Mien (PyTorch) | % of peak | batch 1 GFLOP/s |",
           "|---|--:|--:|--:|--:|--:|--:|--:|"]
    for p in r["presets"]:
        same = "yes" if p["parametersMatch"] else f"**NO: PyTorch {p['pytorchParameters']:,}**"
        out.append(f"| {p['preset']} | {p['parameters']:,} ({same}) | {p['mflopsPerFace']:.1f} | {f1(p['trainingGflops']['mien'])} ({f1(p['trainingGflops']['pytorch'])}) | "
                   f"{p['percentOfPeak']['training']:.0f}% | {f1(p['inferenceGflops']['mienBatch64'])} ({f1(p['inferenceGflops']['pytorchBatch64'])}) | "
                   f"{p['percentOfPeak']['inferenceBatch64']:.0f}% | {f1(p['inferenceGflops']['mienBatch1'])} |")
    return "\n".join(out)


def section_latency(r):
    ph = r["photo"]
    out = ["## Photo latency (end to end)", "", header(r),
           f"One {ph['width']}x{ph['height']} photo ({os.path.basename(ph['source'])} scaled and centred on grey, {ph['format']}), "
           f"warm process, model: {r['model']}. *End to end* = `EmotionRecognizer.Predict(path)`: decode + detect + crop + classify. "
           f"Median and p95 of {r['runs']} runs; target {r['targetMs']} ms. *LibTorch threads* is the network's thread count "
           "(OpenCV keeps its own pool).", "",
           "*min face* is the smallest face looked for (px); cascades detect at the coarsest resolution that still finds it, "
           "so it sets the detection cost. **Bold** = the shipped defaults (`mien predict` with no detector options).", "",
           "| LibTorch threads | detector | max detection side | scale factor | min face | faces | end to end median (ms) | p95 (ms) | detection alone median (ms) | ≤ 25 ms |",
           "|--:|---|--:|--:|--:|--:|--:|--:|--:|:-:|"]
    for t in r["byThreads"]:
        for v in t["variants"]:
            sf, mf = v.get("scaleFactor", 1.1), v.get("minFaceSize", 30)
            det = v["detector"]
            if (det, v["maxDetectionSide"], sf, mf) == (r.get("defaultDetector", "haar-alt"), 640, 1.2, 48): det = f"**{det}**"
            out.append(f"| {t['threads']} | {det} | {v['maxDetectionSide']} | {sf:g} | {mf} | {v['faces']} | {f1(median(v['endToEnd']))} | {f1(v['endToEnd']['P95'])} | "
                       f"{f1(median(v['detect']))} | {'yes' if v['meetsTarget'] else 'no' if v['faces'] else 'n/a'} |")
    out += ["", "Stages alone, median / p95 ms:", "", "| LibTorch threads | decode | crop + classify | classify ready crops | faces |", "|--:|--:|--:|--:|--:|"]
    for t in r["byThreads"]:
        out.append(f"| {t['threads']} | {f1(median(t['decode']))} / {f1(t['decode']['P95'])} | {median(t['cropClassify']):.2f} / {t['cropClassify']['P95']:.2f} | "
                   f"{median(t['classify']):.2f} / {t['classify']['P95']:.2f} | {t['classifiedFaces']} |")
    out += ["", "A variant that finds 0 faces skips classification, so its time is not comparable."]
    return "\n".join(out)


def section_video(r):
    out = ["## Video throughput (end to end)", "", header(r),
           f"`VideoRecognizer.Track` over {os.path.basename(r['video'])} (a real clip: four shots, one face each) scaled to each size and "
           "centred on black, MJPG: decode + cut check + face detection + crop + classify + tracking + smoothing, every frame "
           f"classified. *detect every* 3 runs the detector on every third frame and the motion model in between. Median of "
           f"{r['repeats']} runs; model {r['model']}; {r['threads']} LibTorch threads. *Real-time factor* = frames/s over the clip's "
           f"{r['results'][0]['sourceFps']:.3f} fps (>= 1: keeps up with the video). Load average before / after: "
           f"{r.get('loadAverageBefore', '?')} / {r.get('loadAverageAfter', '?')} (a number above the core count means a busy CPU). *CPU ms/frame* is the process's CPU time per frame (all its threads): "
           "less sensitive to other processes than frames/s.", "",
           "| size | detect every | frames | faces | tracks | frames/s | CPU ms/frame | real-time factor | >= 1 |", "|---|--:|--:|--:|--:|--:|--:|--:|:-:|"]
    for v in r["results"]:
        out.append(f"| {v['width']}x{v['height']} | {v['detectEvery']} | {v['frames']} | {v['faces']} | {v['tracks']} | "
                   f"{f1(median(v['framesPerSecond']))} | {f1(median(v['cpuMillisecondsPerFrame'])) if 'cpuMillisecondsPerFrame' in v else '–'} | {v['realTimeFactor']:.2f} | {'yes' if v['realTimeFactor'] >= 1 else 'no'} |")
    stages = {(v["width"], v["height"]): v["stages"] for v in r["results"] if "stages" in v}
    if stages:
        out += ["", "Where a frame's time goes (decode: ms per frame over the clip; detection and crop + classify: median ms on 30 decoded frames):", "",
                "| size | decode | detect | crop + classify |", "|---|--:|--:|--:|"]
        for (w, h), st in stages.items():
            cc = st.get("cropClassifyMs")
            out.append(f"| {w}x{h} | {f1(st['decodeMs'])} | {f1(median(st['detectMs']))} | {f1(median(cc)) if cc else '–'} |")
    if r["mode"] == "busy":
        out += ["", f"**These figures do not show whether the real-time target (>= 1 at every frame for 640x480 on 2 cores) is met**: the "
                f"load average was {r.get('loadAverageBefore', '?').split(' ')[0]} on {r['environment']['cores']} cores when the run started. "
                "Compare the photo-latency section's quiet detection and classification times, and measure with "
                "`bench/run.sh --full --only video` on a quiet machine (3 repeats of the whole clip per size and detection interval)."]
    return "\n".join(out)


def section_accuracy(r):
    def cv(c):
        return f"{pct(c['meanAccuracy'])} ± {pct(c['stdAccuracy'])}" if c else "–"
    first = next((p["ck7"] for p in r["presets"] if p.get("ck7")), {"folds": "k", "grouped": True})
    fer = next((p["fer"] for p in r["presets"] if p.get("fer")), {"testImages": "?"})
    out = ["## Accuracy", "", header(r),
           f"CK+48: {first['folds']}-fold cross-validation{' grouped by subject (no person on both sides)' if first['grouped'] else ''}, "
           "scoring the last epoch of each fold; mean ± std over folds. 6 classes = without contempt. FER2013: trained on train/, "
           f"accuracy on PublicTest ({fer['testImages']} images) at the best epoch (PublicTest is also the validation set that picks it, "
           "as is usual; PrivateTest is withheld from this copy). *min* = minutes of the whole run.", "",
           "| preset | CK+ 7 classes | min | CK+ 6 classes | min | FER2013 PublicTest | macro-F1 | epochs (best) | min | train images/s |",
           "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for p in r["presets"]:
        c7, c6, f = p.get("ck7"), p.get("ck6"), p.get("fer")
        out.append(f"| {p['preset']} | {cv(c7)} | {f1(c7['minutes']) if c7 else '–'} | {cv(c6)} | {f1(c6['minutes']) if c6 else '–'} | "
                   + (f"{pct(f['accuracy'])} | {f['macroF1']:.3f} | {f['epochs']} ({f['bestEpoch']}) | {f1(f['minutes'])} | {n0(f['imagesPerSecond'])} |" if f else "– | – | – | – | – |"))
    return "\n".join(out)


DEFAULT_INTRO = "# Mien benchmarks\n\nGenerated by `bench/run.sh` (see docs/BENCHMARKS.md in the repository for how to read them)."


def write_doc(results, doc):
    intro = DEFAULT_INTRO
    if os.path.exists(doc):
        text = open(doc).read()
        if INTRO_BEGIN in text and INTRO_END in text:
            intro = text.split(INTRO_BEGIN, 1)[1].split(INTRO_END, 1)[0].strip("\n")
    parts = [INTRO_BEGIN, intro, INTRO_END, "",
             "<!-- Everything below is generated by bench/report.py from the JSON files in bench/results/. Do not edit. -->", ""]
    for name, title, render, group in (("training", "Training speed", section_training, "speed"), ("inference", "Inference speed", section_inference, "speed"),
                                       ("cost", "Model cost and achieved FLOP/s", section_cost, "speed"),
                                       ("latency", "Photo latency (end to end)", section_latency, "latency"),
                                       ("video", "Video throughput (end to end)", section_video, "video"), ("accuracy", "Accuracy", section_accuracy, "accuracy")):
        path = f"{results}/{name}.json"
        parts.append(render(load(path)) if os.path.exists(path) else f"## {title}\n\n_Not measured yet: `bench/run.sh --full --only {group}`._")
        parts.append("")
    os.makedirs(os.path.dirname(os.path.abspath(doc)), exist_ok=True)
    with open(doc, "w") as f:
        f.write("\n".join(parts))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("env"); e.add_argument("--threads", type=int, required=True)
    b = sub.add_parser("build")
    for k in ("--mode", "--results", "--groups", "--accuracy-runs", "--doc"): b.add_argument(k, required=True)
    d = sub.add_parser("doc"); d.add_argument("--results", required=True); d.add_argument("--doc", required=True)
    a = ap.parse_args()
    if a.cmd == "env":
        json.dump(environment(a.threads), sys.stdout, indent=2); return
    if a.cmd == "doc":
        write_doc(a.results, a.doc); return

    raw, groups = f"{a.results}/raw", a.groups.split(",")
    env = load(f"{raw}/environment.json")

    def base(group):
        cmds = open(f"{raw}/commands-{group}.txt").read().splitlines() if os.path.exists(f"{raw}/commands-{group}.txt") else []
        return {"mode": a.mode, "environment": env, "commands": cmds}

    problems = []
    try:
        if "speed" in groups:
            for r in build_speed(raw, base("speed")):
                save(f"{a.results}/{r['benchmark']}.json", r)
        if "latency" in groups:
            save(f"{a.results}/latency.json", build_latency(raw, base("latency")))
        if "video" in groups:
            save(f"{a.results}/video.json", build_video(raw, base("video")))
        if "accuracy" in groups:
            save(f"{a.results}/accuracy.json", build_accuracy(a.accuracy_runs, base("accuracy")))
        problems = check(a.results, groups)
    except (OSError, KeyError, TypeError, ValueError) as ex:  # a missing or malformed raw file is a failed benchmark
        problems.append(f"{type(ex).__name__}: {ex}")
    write_doc(a.results, a.doc)
    if problems:
        print("bench: FAILED checks:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

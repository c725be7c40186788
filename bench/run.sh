#!/usr/bin/env bash
# Mien benchmarks: training/inference speed against PyTorch, model cost, photo latency, accuracy.
# Writes <out>/*.json and regenerates the tables of docs/BENCHMARKS.md (see that file for what each number means).
#
#   bench/run.sh --quick            smoke test of every benchmark on tiny settings (CI); exits non-zero on any
#                                   crash or empty/zero result. Output: bench/results/quick/ (not committed).
#   bench/run.sh --full             the real thing: bench/results/*.json + docs/BENCHMARKS.md. Accuracy takes hours;
#                                   finished accuracy runs (runs/bench/full/*) are reused unless --fresh.
#   options: --only speed,latency,video,accuracy   --out DIR   --doc FILE   --threads N   --fresh
#            --build-cli  (rebuild src/Mien.Cli in Release first; otherwise it is built only when missing)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

mode=full only="speed,latency,video,accuracy" out="" doc="" threads=$(nproc) fresh=0 build_cli=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --only) only="$2"; shift ;;
    --out) out="$2"; shift ;;
    --doc) doc="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --fresh) fresh=1 ;;
    --build-cli) build_cli=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for g in ${only//,/ }; do case "$g" in speed|latency|video|accuracy) ;; *) echo "run.sh: --only takes speed, latency, video, accuracy" >&2; exit 2 ;; esac; done
wants() { [[ ",$only," == *",$1,"* ]]; }
# Quick numbers are smoke-test output: keep them away from the committed results and docs.
if [ "$mode" = quick ]; then out=${out:-bench/results/quick}; doc=${doc:-$out/BENCHMARKS.md}; else out=${out:-bench/results}; doc=${doc:-docs/BENCHMARKS.md}; fi
data=${MIEN_DATA:-../shared/data}   # relative, so the commands in the doc read the same on any machine
py=${MIEN_BENCH_PYTHON:-/usr/bin/python3}   # Debian's python3-torch lives in the system Python, not in a pyenv/venv one
cli=src/Mien.Cli/bin/Release/net10.0/Mien.Cli.dll
bench=bench/Mien.Bench/bin/Release/net10.0/Mien.Bench.dll
raw="$out/raw"
mkdir -p "$raw"
exec 3>&2   # progress goes to the terminal even where a command's own output is sent to a log
say() { echo "bench: $*" >&3; }

# --- what it needs: python3-torch (the reference), OpenCV's native deps and cascades ---
missing=()
for p in python3-torch opencv-data; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
dpkg -s libgtk-3-0 >/dev/null 2>&1 || dpkg -s libgtk-3-0t64 >/dev/null 2>&1 || missing+=(libgtk-3-0)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  say "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]/libgtk-3-0/libgtk-3-0t64}" >/dev/null
fi
[ -f "$data/fer2013.zip" ] && [ -f "$data/ckplus48.zip" ] || { echo "bench: datasets not found in $data (set MIEN_DATA)" >&2; exit 1; }

# --- build: the bench project in Release, into bench/Mien.Bench/bin (it builds src/Mien/bin/Release, never src/Mien.Cli/bin) ---
log=$(mktemp)
work=$(mktemp -d "${TMPDIR:-/tmp}/mien-bench.XXXXXX")   # faces extracted from FER2013: never inside the repository
trap 'rm -rf "$work" "$log"' EXIT
build() {
  local t0=$SECONDS; say "building $1 (Release)"
  dotnet build "$1" -c Release -nologo -v q >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  say "  ($(( SECONDS - t0 )) s)"
}
build bench/Mien.Bench/Mien.Bench.csproj
if wants accuracy; then
  if [ "$build_cli" = 1 ] || [ ! -f "$cli" ]; then build src/Mien.Cli/Mien.Cli.csproj
  elif [ -n "$(find src -name '*.cs' -newer "$cli" -print -quit)" ]; then say "warning: $cli is older than the sources (pass --build-cli to rebuild it)"; fi
fi
"$py" bench/report.py env --threads "$threads" >"$raw/environment.json"

# Runs a command and records it for the results and the doc ($WORK stands for the temporary folder).
run() {
  local t0=$SECONDS line="$*"; line=${line//$work/\$WORK}
  say "\$ $line"; echo "$line" >>"$raw/commands-$group.txt"
  "$@" || return   # keeps the failure status even where the caller tests it (set -e is off there)
  say "  ($(( SECONDS - t0 )) s)"
}

if [ "$mode" = quick ]; then
  speed_args=(--images 512 --warmup 1 --runs 3 --train-steps 2 --infer-iters 2 --fit-images 256); lat_runs=(--warmup 1 --runs 8)
  backbone_args=(--backbones mobilenet_v3_small --backbone-size 48); engine_runs=(--engine-latency-runs 8)
else
  speed_args=(--images 2048 --warmup 5 --runs 7 --train-steps 20 --infer-iters 20 --fit-images 2048); lat_runs=(--warmup 5 --runs 50)
  # Inference only, Mien alone (PyTorch's reference knows only the presets).
  backbone_args=(--backbones resnet18,resnet18-cntk,resnet34,resnet50,mobilenet_v2,mobilenet_v3_small,mobilenet_v3_large,vgg16,vgg16_bn,inception_v3 --backbone-size 64)
  engine_runs=(--engine-latency-runs 50)
fi
# The bundled model on LibTorch fp32/bf16 and ONNX Runtime fp32/int8 in the same run (int8 calibrated on FER2013 train faces).
engine_args=(--engines torch-fp32,torch-bf16,onnx-fp32,onnx-int8 --engine-model models/mien-default.mien --calibration-data "$data/fer2013.zip"
  --photo "$data/photos/astronaut.png" "${engine_runs[@]}")

if wants speed; then
  group=speed; : >"$raw/commands-$group.txt"
  run dotnet "$bench" speed --data "$data/fer2013.zip" --work "$work" --threads "$threads" --batch 64 "${speed_args[@]}" "${backbone_args[@]}" "${engine_args[@]}" --out "$raw/mien-speed.json"
  # OPENBLAS_NUM_THREADS=1: Debian's OpenBLAS otherwise starts its own threads that fight PyTorch's pool (batch 1 ~4x slower).
  # MALLOC_*: the glibc settings Mien applies to itself (Mien.Runtime.NativeAllocator), so the engines are compared, not allocators.
  run env OPENBLAS_NUM_THREADS=1 MALLOC_MMAP_THRESHOLD_=536870912 MALLOC_TRIM_THRESHOLD_=1073741824 "$py" bench/pytorch_reference.py --work "$work" --threads "$threads" --batch 64 \
    "${speed_args[@]}" --out "$raw/pytorch-speed.json"
fi

if wants latency; then
  group=latency; : >"$raw/commands-$group.txt"
  run dotnet "$bench" latency --work "$work" --photo "$data/photos/astronaut.png" --model models/mien-default.mien \
    --detectors haar-alt,haar-default,lbp --sides 640,320 --scale-factors 1.2,1.1 --min-faces 48,30 --threads "$threads$([ "$threads" = 1 ] || echo ,1)" "${lat_runs[@]}" --out "$raw/latency.json"
fi

if wants video; then
  group=video; : >"$raw/commands-$group.txt"
  # Frames/s end to end (decode, detect, classify, track) of a real clip scaled to 640x480 and 1280x720.
  if [ "$mode" = quick ]; then vid_args=(--frames 30 --repeats 1); else vid_args=(--repeats 3); fi
  run dotnet "$bench" video --work "$work" --video "$data/photos/Megamind.avi" --model models/mien-default.mien \
    --sizes 640x480,1280x720 --detect-every 1,3 --threads "$threads" "${vid_args[@]}" --out "$raw/video.json"
fi

if wants accuracy; then
  group=accuracy; : >"$raw/commands-$group.txt"
  acc_dir=runs/bench/$mode
  if [ "$mode" = quick ]; then
    rm -rf "$acc_dir"; ck=(--limit 200 --folds 2 --epochs 1); fer=(--limit 200 --epochs 1)
  else
    ck=(--folds 10 --epochs "${BENCH_CK_EPOCHS:-30}" --batch-size 32); fer=(--epochs "${BENCH_FER_EPOCHS:-25}")
  fi
  # One CLI run per (benchmark, preset); a finished run (its cv.json/metrics.json exists) is reused unless --fresh.
  accuracy_run() {
    local name=$1 result=$2; shift 2
    local dir="$acc_dir/$name"
    local cmd=(dotnet "$cli" "$@" --seed 42 --quiet --out "$dir")
    if [ "$fresh" = 0 ] && [ -f "$dir/$result" ]; then
      say "reusing $dir/$result"
      # A run made by hand and placed here records its own command in command.txt.
      if [ -f "$dir/command.txt" ]; then echo "# reused, made by: $(cat "$dir/command.txt") --out $dir" >>"$raw/commands-$group.txt"
      else echo "# reused: ${cmd[*]}" >>"$raw/commands-$group.txt"; fi
      return
    fi
    rm -rf "$dir"; mkdir -p "$dir"
    run "${cmd[@]}" >"$dir.log" 2>&1 || { tail -30 "$dir.log" >&2; exit 1; }
    local line="${cmd[*]}"; echo "${line% --out *}" >"$dir/command.txt"
  }
  # Every registered preset (the library's registry, not a list kept here); CK+ first (minutes each), FER2013 last
  # (most of an hour each), so an interrupted run has the most tables.
  mapfile -t presets < <(dotnet "$cli" models --names)
  for p in "${presets[@]}"; do
    accuracy_run "ck7-$p" cv.json cv --data "$data/ckplus48.zip" --model "$p" --group-by subject "${ck[@]}"
    accuracy_run "ck6-$p" cv.json cv --data "$data/ckplus48.zip" --model "$p" --group-by subject --drop-class contempt "${ck[@]}"
  done
  for p in "${presets[@]}"; do
    accuracy_run "fer-$p" metrics.json train --data "$data/fer2013.zip" --model "$p" "${fer[@]}"
  done
fi

# Combine the raw files into <out>/*.json, regenerate the doc, and fail on any empty or zero result.
"$py" bench/report.py build --mode "$mode" --results "$out" --groups "$only" --accuracy-runs "runs/bench/$mode" --doc "$doc"
[ "$mode" = quick ] && rm -rf runs/bench/quick   # ~200 MB of checkpoints that only proved the code path
say "done in $SECONDS s: $out/*.json, $doc"

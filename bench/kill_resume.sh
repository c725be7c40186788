#!/usr/bin/env bash
# kill -9 a training run at random moments, resume it each time, and check what issue #11 (acceptance item 3) asks:
# no broken file after any kill, never more than one epoch lost, and the finished run equal to an uninterrupted one
# with the same seed (history, final metrics, and the best model's weights byte for byte).
#
#   bench/kill_resume.sh                 20 kills (about 4 min on 1 thread); exits 1 on any violation
#   options: --kills N (20)  --seed S (bash RANDOM seed for the kill times, 11)  --out DIR (/tmp/mien-kill-resume)
#            --epochs E (16)  --threads T (1)  --keep (leave DIR behind)
#
# Where the kills land: every 4th waits for a checkpoint write to begin (a *.tmp file appears) and lands 0-600 ms
# into the write sequence (best.mien, history, model, optimizer, checkpoint.json); every 5th lands 0.2-3 s after the
# start (loading data, reading the checkpoint); the others wait for training to start and land 0-2.5 epochs into it (the first epoch of a process is the slowest)
# (an epoch as long as the reference run's). The delays come from a seeded RANDOM, so they repeat run to run (where
# in training they land still depends on the machine's load).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

kills=20 seed=11 out=/tmp/mien-kill-resume epochs=16 threads=1 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) kills="$2"; shift ;;
    --seed) seed="$2"; shift ;;
    --out) out="$2"; shift ;;
    --epochs) epochs="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "kill_resume.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
data=${MIEN_DATA:-../shared/data}/ckplus48.zip
[ -f "$data" ] || { echo "kill_resume.sh: $data is missing (see ../shared/data/README.md)." >&2; exit 2; }
py=${MIEN_BENCH_PYTHON:-python3}
export OMP_WAIT_POLICY=PASSIVE   # idle LibTorch threads must not spin on a shared machine
# vgg-small has batch norm and dropout, trains with augmentation and AdamW under a cosine schedule: every kind of
# state a checkpoint must carry. 400 CK+ faces: ~2.5 s per epoch on one thread.
train=(train --data "$data" --model vgg-small --limit 400 --epochs "$epochs" --batch-size 32 --seed 7 --threads "$threads")
nice -n 15 "$root/mien" --help >/dev/null   # builds the CLI first if the sources are newer
# The DLL itself, not ./mien or a shell function: $! must be the training process, or kill -9 hits a wrapper and
# the training goes on as an orphan. nice execs, so its PID is dotnet's.
dll="$root/src/Mien.Cli/bin/Release/net10.0/Mien.Cli.dll"
mien() { nice -n 15 dotnet "$dll" "$@"; }
pid=""
trap 'if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi' EXIT
rm -rf "$out"; mkdir -p "$out"
ref="$out/reference" run="$out/killed"
start_all=$(date +%s.%N)

echo "== uninterrupted reference run -> $ref"
t0=$(date +%s.%N)
mien "${train[@]}" --out "$ref" >"$out/reference.log" 2>&1 || { cat "$out/reference.log" >&2; echo "FAIL: the reference run failed" >&2; exit 1; }
ref_seconds=$(echo "$(date +%s.%N) - $t0" | bc)
echo "   $(printf '%.1f' "$ref_seconds") s"

# Checks the run folder after a kill; prints "checkpoint_epoch history_epochs tmp_files" or a reason and exits 1.
check_files() {
  "$py" - "$1" "$ref" <<'PY'
import json, os, sys, zipfile, csv
run, ref = sys.argv[1], sys.argv[2]
bad = []
tmp = 0
for d, _, files in os.walk(run):
    for f in files:
        p = os.path.join(d, f)
        if f.endswith('.tmp'):
            tmp += 1          # a write the kill interrupted: nothing reads it, resume removes it
            continue
        try:
            if f.endswith('.json'):
                with open(p) as fh: json.load(fh)
            elif f.endswith('.mien'):
                with zipfile.ZipFile(p) as z:
                    if z.testzip() is not None or {'metadata.json', 'weights.bin'} - set(z.namelist()):
                        raise ValueError('incomplete model archive')
            elif f.endswith('.csv'):
                with open(p) as fh: rows = list(csv.reader(fh))
                if rows[0][0] != 'epoch' or any(len(r) != len(rows[0]) for r in rows) or [int(r[0]) for r in rows[1:]] != list(range(1, len(rows))):
                    raise ValueError('malformed history rows')
            elif f.endswith('.optim'):
                # Same network, same optimizer: a whole state file has the reference's size.
                want = os.path.getsize(next(os.path.join(ref, 'checkpoints', g) for g in os.listdir(os.path.join(ref, 'checkpoints')) if g.endswith('.optim')))
                if os.path.getsize(p) != want: raise ValueError(f'{os.path.getsize(p)} bytes, a whole one has {want}')
        except Exception as e:
            bad.append(f'{os.path.relpath(p, run)}: {e}')
ck = os.path.join(run, 'checkpoints', 'checkpoint.json')
epoch = 0
if os.path.exists(ck) and not bad:
    c = json.load(open(ck))
    epoch = c['epoch']
    for k in ('model_file', 'optimizer_file'):
        if not os.path.exists(os.path.join(run, 'checkpoints', c[k])): bad.append(f'checkpoint.json names {c[k]}, which is missing')
hist = os.path.join(run, 'history.json')
h = len(json.load(open(hist))) if os.path.exists(hist) and not bad else 0
if bad:
    print('BROKEN: ' + '; '.join(bad)); sys.exit(1)
print(epoch, h, tmp)
PY
}

# Kills during training land up to 2.5 epochs after it starts, an epoch as long as the reference's (training + validation).
epoch_ms=$("$py" -c "import json; h = json.load(open('$ref/history.json')); print(int(sum(x['seconds'] for x in h) / len(h) * 1000))")
max_delay=$(( epoch_ms * 25 / 10 ))
echo "== $kills kills (an epoch takes ${epoch_ms} ms: training kills 0..${max_delay} ms after it starts), then a last --resume -> $run"
RANDOM=$seed
printf '%-5s %-10s %-8s %-9s %-9s %-7s %-5s %-4s %s\n' kill mode delay_ms resumed_at done_ep ckpt_ep lost tmp note
fail=0 prev_ck=0 killed=0 max_lost=0 tmp_seen=0 total_lost=0
for ((k = 1; k <= kills; k++)); do
  log="$out/attempt-$k.log"
  # Resume whenever the folder holds a run (even one killed before its first checkpoint); a fresh start otherwise.
  flags=()
  if [ -f "$run/options.json" ] || [ -f "$run/checkpoints/checkpoint.json" ]; then flags=(--resume); fi
  touch "$out/started"
  nice -n 15 dotnet "$dll" "${train[@]}" --out "$run" "${flags[@]}" >"$log" 2>&1 &
  pid=$!
  if (( k % 4 == 0 )); then
    mode=checkpoint delay=$(( RANDOM % 600 ))
    # Wait for the next checkpoint write to start, then land inside the write sequence.
    while kill -0 "$pid" 2>/dev/null && ! compgen -G "$run/checkpoints/*.tmp" >/dev/null && ! compgen -G "$run/checkpoints/.*.tmp" >/dev/null; do sleep 0.005; done
  elif (( k % 5 == 0 )); then
    mode=startup delay=$(( 200 + RANDOM % 2800 ))
  else
    mode=training delay=$(( (RANDOM * 32768 + RANDOM) % max_delay ))
    while kill -0 "$pid" 2>/dev/null && ! grep -qs '^training on' "$log"; do sleep 0.05; done
  fi
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  note=""
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); else note="finished before the kill"; fi
  rc=0
  wait "$pid" 2>/dev/null || rc=$?
  if kill -0 "$pid" 2>/dev/null || pgrep -f -- "--out $run" >/dev/null; then echo "FAIL: a training process outlived its kill" >&2; exit 1; fi
  pid=""
  resumed=$(grep -o 'Resumed from epoch [0-9]*' "$log" | grep -o '[0-9]*$' || true)
  if [ ${#flags[@]} -gt 0 ] && [ -z "$resumed" ] && grep -q 'no checkpoint yet' "$log"; then resumed=0; fi
  if grep -q '^error' "$log"; then note="$note $(grep -m1 '^error' "$log")"; fail=1; fi
  # Resuming must continue exactly from the last committed checkpoint.
  if [ ${#flags[@]} -gt 0 ] && [ -n "$resumed" ] && [ "$resumed" != "$prev_ck" ]; then note="$note resumed at $resumed, but the checkpoint said $prev_ck"; fail=1; fi
  if ! state=$(check_files "$run"); then note="$note $state"; fail=1; state="$prev_ck 0 0"; fi
  read -r ck h tmp <<<"$state"
  # Epochs done = those whose end was logged or written to history.json; lost = done - where the next resume starts.
  logged=$(grep -c '^epoch ' "$log" || true)
  done_ep=$(( prev_ck + logged ))
  if [ "$run/history.json" -nt "$out/started" ] && (( h > done_ep )); then done_ep=$h; fi   # this attempt's epochs only
  lost=$(( done_ep - ck ))
  if (( lost > max_lost )); then max_lost=$lost; fi
  total_lost=$(( total_lost + lost )) tmp_seen=$(( tmp_seen + tmp ))
  if (( lost > 1 )); then note="$note LOST $lost EPOCHS"; fail=1; fi
  if (( ck < prev_ck )); then note="$note checkpoint went back from $prev_ck to $ck"; fail=1; fi
  printf '%-5s %-10s %-8s %-9s %-9s %-7s %-5s %-4s %s\n' "$k" "$mode" "$delay" "${resumed:--}" "$done_ep" "$ck" "$lost" "$tmp" "$note"
  prev_ck=$ck
  if [ "$rc" = 0 ]; then break; fi   # the run ended on its own: nothing left to kill
done

echo "== last --resume, to the end"
mien "${train[@]}" --out "$run" --resume >"$out/final.log" 2>&1 || { cat "$out/final.log" >&2; echo "FAIL: the final --resume failed" >&2; fail=1; }
left=$(find "$run" -name '*.tmp' | wc -l)
if (( left > 0 )); then echo "FAIL: $left temporary file(s) left in the finished run: $(find "$run" -name '*.tmp' | head -3)" >&2; fail=1; fi

echo "== finished run against the reference"
"$py" - "$ref" "$run" <<'PY' || fail=1
import json, sys, zipfile
ref, run = sys.argv[1], sys.argv[2]
timing = {'seconds', 'images_per_second', 'minutes'}
def strip(o):
    if isinstance(o, dict): return {k: strip(v) for k, v in o.items() if k not in timing}
    if isinstance(o, list): return [strip(v) for v in o]
    return o
problems = []
def first_difference(a, b, path=''):
    if type(a) != type(b): return f'{path}: {a!r} vs {b!r}'
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b: return f'{path}.{k}: only in one'
            d = first_difference(a[k], b[k], f'{path}.{k}')
            if d: return d
    elif isinstance(a, list):
        if len(a) != len(b): return f'{path}: {len(a)} vs {len(b)} entries'
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f'{path}[{i}]')
            if d: return d
    elif a != b: return f'{path}: {a!r} (reference) vs {b!r} (killed and resumed)'
    return None
for name in ('history.json', 'metrics.json'):
    a, b = (strip(json.load(open(f'{d}/{name}'))) for d in (ref, run))
    d = first_difference(a, b, name)
    if d: problems.append(d)
def weights(path):
    with zipfile.ZipFile(path) as z: return z.read('weights.bin')
if weights(f'{ref}/best.mien') != weights(f'{run}/best.mien'): problems.append('best.mien: the weights differ')
h = json.load(open(f'{run}/history.json'))
m = json.load(open(f'{run}/metrics.json'))
print(f"   epochs {len(h)}, best epoch {m['best_epoch']}, validation accuracy {m['validation']['accuracy']:.4f}, loss {m['validation']['loss']!r}")
print(f"   last epoch: train loss {h[-1]['train_loss']!r}, validation loss {h[-1]['validation_loss']!r}")
if problems:
    print('FAIL: the resumed run differs from the uninterrupted one:'); [print('   ' + p) for p in problems]; sys.exit(1)
print('   identical: history (every field but timings), metrics.json (every field but timings), best.mien weights byte for byte')
PY

total=$(echo "$(date +%s.%N) - $start_all" | bc)
echo "== summary: $killed kills, at most $max_lost epoch(s) lost per kill ($total_lost in all), $tmp_seen interrupted temporary file(s) seen after kills," \
     "reference run $(printf '%.1f' "$ref_seconds") s, whole bench $(printf '%.0f' "$total") s"
if (( killed < kills )); then echo "FAIL: only $killed of $kills kills landed before the run finished (raise --epochs)" >&2; fail=1; fi
if (( !keep && !fail )); then rm -rf "$out"; fi
if (( fail )); then echo "kill_resume: FAILED (logs in $out)" >&2; exit 1; fi
echo "kill_resume: OK"

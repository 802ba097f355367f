#!/usr/bin/env bash
# One lent-GPU call does it all: unpack the data, install Keras, time two epochs, then train two runs side by side
# for as many epochs as fit before the deadline (so each cosine schedule ends), and export both runs to $OUT.
#   here first:  python tools/gpu.py pack; then leave the shipped models (47 MB) out of what travels, so that the
#     data (57 MB) fits one call's 64 MiB:  git rm -r -q --cached fer_nb/models/*.keras fer_nb/models/*.tflite &&
#     printf '/fer_nb/models/*.keras\n/fer_nb/models/*.tflite\n' >> .git/info/exclude   (undo after: git reset -q -- fer_nb/models,
#     and remove those two lines)
#   there (carry ['.gpu']):  bash tools/gpu_lease.sh SECONDS 'FLAGS_A' 'FLAGS_B'   (SECONDS: the call's timeout less ~40)
#   session 8, on an H200 (timeout 600):  bash tools/gpu_lease.sh 560 '--arch vgg --width 1.0 --precision bf16
#     --batch-size 64 --seed 2 --augment --erase' '--arch vgg --width 1.0 --precision bf16 --batch-size 64 --seed 3
#     --augment --erase --optimizer sgd --lr 0.01 --weight-decay 5e-4'   -> 160 epochs each; run b shipped as vgg_w1
#   here, afterwards:  python tools/gpu.py import --from FILES_AT/a --out ~/.cache/fer_nb/runs/NAME --ship NAME
# SMOKE=1 runs it on this CPU with 512 faces (a check of the script, not a training). PACE=2.7 FIRST=57: see step 1.
# Distillation there: copy a run's teacher.npz (the teacher's probabilities on Training, 1 MB) into .gpu/ and add
#   `--teacher .gpu/teacher.npz` to a run's flags; the teacher's model files need not travel.
set -u
T0=$(date +%s); BUDGET=${1:?seconds for the whole call}; FLAGS=("${2:?flags of run a}" "${3:?flags of run b}")
OUT=${OUT:?where to write the exported runs}; W=${WORK:-/tmp/lease-$T0}; mkdir -p "$W/fer" "$OUT"   # fresh per call
LOG="$OUT/log.txt"; say() { echo "[$(( $(date +%s) - T0 ))s] $*" | tee -a "$LOG"; }
cp .gpu/part* "$W/fer/"
if [ -z "${SMOKE:-}" ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target "$W/site" .gpu/whl/*.whl >> "$LOG" 2>&1
  export PYTHONPATH="$W/site"; nvidia-smi --query-gpu=name,memory.total --format=csv,noheader >> "$LOG" 2>&1
  SUB=(); PY=python3
else SUB=(--limit 512 --val-limit 256); PY=${PY:-python}; fi
export KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false PYTHONUNBUFFERED=1 JAX_COMPILATION_CACHE_DIR=/tmp/fer-nb-jax-cache  # the real runs (and later calls) reuse compiled kernels
say "data and Keras ready"
train() { # NAME EPOCHS MAX_MINUTES FLAGS; a hard stop after $STOP seconds (0: none)
  timeout "${STOP:-0}" $PY tools/gpu.py train --parts "$W/fer" --out "$W/$1" -- ${4} "${SUB[@]}" --epochs "$2" --max-minutes "$3" > "$W/$1.log" 2>&1; }
# 1. two epochs of both runs side by side: the second epoch's seconds is the pace of the real runs. PACE=s FIRST=s
#    (an epoch's seconds and the first, compiling, epoch's, from an earlier call on the same kind of GPU and flags)
#    skip it: session 11's H100 took 80 s to calibrate, about 30 epochs of each run.
if [ -z "${PACE:-}" ]; then
  train cal_a 2 60 "${FLAGS[0]}" & train cal_b 2 60 "${FLAGS[1]}" & wait
  for r in cal_a cal_b; do tail -3 "$W/$r.log" >> "$LOG"; done
fi
EPOCHS=$($PY - "$W" "$T0" "$BUDGET" "${PACE:-}" "${FIRST:-}" <<'EOF'
import csv, sys, time
w, t0, budget = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
if sys.argv[4]: pace, first = float(sys.argv[4]), float(sys.argv[5] or 60)
else:
    rows = [list(csv.DictReader(open(f'{w}/cal_{r}/history.csv'))) for r in 'ab']
    first, pace = max(float(r[0]['seconds']) for r in rows), max(float(r[-1]['seconds']) for r in rows)
left = t0 + budget - time.time() - 45 - (first - pace)     # 45 s for the export; the first epoch also compiles
print(max(2, int(0.95 * left / pace)), round(pace, 2), round(first, 1))
EOF
)
read -r N PACE FIRST <<< "$EPOCHS"; MAXMIN=$(( (T0 + BUDGET - 40 - $(date +%s)) / 60 + 1 ))
say "epoch ${PACE}s (first ${FIRST}s): $N epochs each, max ${MAXMIN} min"
# 2. the real runs, side by side; a hard stop 40 s before the end keeps the best checkpoint (written atomically)
STOP=$(( T0 + BUDGET - 40 - $(date +%s) ))
train a "$N" "$MAXMIN" "${FLAGS[0]}" & train b "$N" "$MAXMIN" "${FLAGS[1]}" & wait
for r in a b; do
  tail -4 "$W/$r.log" >> "$LOG"; say "run $r: $(($(wc -l < "$W/$r/history.csv") - 1)) epochs"
  $PY tools/gpu.py export --run "$W/$r" --out "$OUT/$r" >> "$LOG" 2>&1
done
say "done"; ls -la "$OUT"/a "$OUT"/b >> "$LOG"

#!/usr/bin/env bash
# One lent-GPU call does it all: unpack the data, install Keras, train two runs side by side with a cosine learning
# rate over the minutes left (so each schedule ends before the deadline), and export both runs to $OUT.
#   here first:  python tools/gpu.py pack; then leave the shipped models (47 MB) out of what travels, so that the
#     data (57 MB) fits one call's 64 MiB:  git rm -r -q --cached fer_nb/models/*.keras fer_nb/models/*.tflite &&
#     printf '/fer_nb/models/*.keras\n/fer_nb/models/*.tflite\n' >> .git/info/exclude   (undo after: git reset -q -- fer_nb/models,
#     and remove those two lines)
#   there (carry ['.gpu']):  bash tools/gpu_lease.sh SECONDS 'FLAGS_A' 'FLAGS_B'   (SECONDS: the call's timeout less ~40)
#   session 8, on an H200 (timeout 600):  bash tools/gpu_lease.sh 560 '--arch vgg --width 1.0 --precision bf16
#     --batch-size 64 --seed 2 --augment --erase' '--arch vgg --width 1.0 --precision bf16 --batch-size 64 --seed 3
#     --augment --erase --optimizer sgd --lr 0.01 --weight-decay 5e-4'   -> 160 epochs each; run b shipped as vgg_w1
#   here, afterwards:  python tools/gpu.py import --from FILES_AT/a --out ~/.cache/fer_nb/runs/NAME --ship NAME
# SMOKE=1 runs it on this CPU with 512 faces (a check of the script, not a training).
# Distillation there: copy a run's teacher.npz (the teacher's probabilities on Training, 1 MB) into .gpu/ and add
#   `--teacher .gpu/teacher.npz` to a run's flags; the teacher's model files need not travel.
set -u
T0=$(date +%s); BUDGET=${1:?seconds for the whole call}; FLAGS=("${2:?flags of run a}" "${3:?flags of run b}")
OUT=${OUT:?where to write the exported runs}; W=${WORK:-/tmp/lease-$T0}; mkdir -p "$W/fer" "$OUT"   # fresh per call
LOG="$OUT/log.txt"; say() { echo "[$(( $(date +%s) - T0 ))s] $*" | tee -a "$LOG"; }
cp .gpu/part* "$W/fer/"
if [ -z "${SMOKE:-}" ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target "$W/site" .gpu/whl/*.whl >> "$LOG" 2>&1
  export PYTHONPATH="$W/site:$PWD"   # the Keras wheels, and fer_nb from this working tree (no sys.path edits in the scripts)
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader >> "$LOG" 2>&1
  SUB=(); PY=python3
else SUB=(--limit 512 --val-limit 256); PY=${PY:-python}; fi
export KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false PYTHONUNBUFFERED=1 JAX_COMPILATION_CACHE_DIR=/tmp/fer-nb-jax-cache  # the real runs (and later calls) reuse compiled kernels
say "data and Keras ready"
# Two runs side by side, each with its learning rate on a cosine over the training minutes the call has left
# (`--schedule time`), so that it reaches zero however fast this GPU and these flags run (bench/README.md, session 21).
# A hard stop 40 s before the end keeps the best checkpoint (written atomically).
MINUTES=$($PY -c "import time; print(round(($T0 + $BUDGET - 75 - time.time()) / 60, 2))")   # 30 s to start each run, 45 to export
STOP=$(( T0 + BUDGET - 40 - $(date +%s) ))
train() { # NAME FLAGS
  timeout "$STOP" $PY tools/gpu.py train --parts "$W/fer" --out "$W/$1" -- ${2} "${SUB[@]}" --schedule time \
    --epochs 100000 --max-minutes "$MINUTES" > "$W/$1.log" 2>&1; }
say "cosine over ${MINUTES} min of training, two runs side by side"
train a "${FLAGS[0]}" & train b "${FLAGS[1]}" & wait
for r in a b; do
  tail -4 "$W/$r.log" >> "$LOG"; say "run $r: $(($(wc -l < "$W/$r/history.csv") - 1)) epochs"
  $PY tools/gpu.py export --run "$W/$r" --out "$OUT/$r" >> "$LOG" 2>&1
done
say "done"; ls -la "$OUT"/a "$OUT"/b >> "$LOG"

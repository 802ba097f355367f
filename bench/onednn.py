"""Which oneDNN kernels a training step runs in each precision: the check that `--precision bf16` really computes in bfloat16.

    python bench/onednn.py                 # a table per precision: primitive, pass, kernel, data type, executions
    python bench/onednn.py --json          # the same as JSON (used by tests/test_bf16.py)

It trains the reference CNN for two batches of 64 random faces in a child process with ONEDNN_VERBOSE=1, then counts the
primitives oneDNN reports executing. With bf16 the convolutions' forward, backward-data and backward-weights passes
should all run `avx512_core_bf16` (or AMX) kernels on bf16 tensors; with float32, f32 kernels.
"""
from __future__ import annotations
import argparse, collections, json, os, subprocess, sys

STEP = '''
import numpy as np
from fer_nb.env import import_keras
keras = import_keras()   # with fer_nb's TensorFlow defaults, as `train` imports it
from fer_nb.train import PRECISIONS
keras.mixed_precision.set_global_policy(PRECISIONS[{precision!r}])
from fer_nb.model import reference_cnn
model = reference_cnn()
rng = np.random.default_rng(0)
x = rng.random((128, 48, 48, 1), dtype=np.float32); y = np.eye(7, dtype=np.float32)[rng.integers(0, 7, 128)]
model.fit(x, y, epochs=1, batch_size=64, verbose=0)
'''


def kernels(precision: str) -> list[dict]:
    "oneDNN primitives executed by two training steps in `precision`, counted by (primitive, pass, kernel, data type)."
    env = {**os.environ, 'ONEDNN_VERBOSE': '1', 'TF_CPP_MIN_LOG_LEVEL': '3', 'KERAS_BACKEND': 'tensorflow'}
    out = subprocess.run([sys.executable, '-c', STEP.format(precision=precision)], capture_output=True, text=True,
                         env=env, timeout=600, check=True).stdout
    counts = collections.Counter()
    for line in out.splitlines():
        f = line.split(',')
        if len(f) > 8 and f[0] == 'onednn_verbose' and f[3] == 'exec' and f[5] in ('convolution', 'matmul', 'inner_product'):
            src = f[8].split()[0].split(':')[1] if ':' in f[8] else '?'   # 'src:bf16::blocked...' -> 'bf16'
            counts[(f[5], f[7], f[6], src)] += 1
    return [dict(primitive=p, pass_=k, kernel=impl, dtype=d, executions=n) for (p, k, impl, d), n in sorted(counts.items())]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--json', action='store_true', help='print JSON instead of tables')
    args = ap.parse_args(argv)
    result = {p: kernels(p) for p in ('float32', 'bf16')}
    if args.json: print(json.dumps(result)); return
    for precision, rows in result.items():
        print(f'\n{precision}:\n| primitive | pass | kernel | src dtype | executions |\n|---|---|---|---|---|')
        for r in rows: print(f"| {r['primitive']} | {r['pass_']} | {r['kernel']} | {r['dtype']} | {r['executions']} |")


if __name__ == '__main__':
    main()

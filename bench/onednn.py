"""Which oneDNN kernels a training step runs in each precision: the check that `--precision bf16` really computes in bfloat16.

    python bench/onednn.py                 # a table per precision: primitive, pass, kernel, data type, executions
    python bench/onednn.py --json          # the same as JSON

It prints what `fer_nb.train.onednn_kernels` counts: two training steps of the reference CNN on random faces, in a
child process with ONEDNN_VERBOSE=1. With bf16 the convolutions' forward, backward-data and backward-weights passes
should all run `avx512_core_bf16` (or AMX) kernels on bf16 tensors; with float32, f32 kernels.
"""
from __future__ import annotations
import argparse, json
from fer_nb.train import onednn_kernels


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--json', action='store_true', help='print JSON instead of tables')
    args = ap.parse_args(argv)
    result = {p: onednn_kernels(p) for p in ('float32', 'bf16')}
    if args.json: print(json.dumps(result)); return
    for precision, rows in result.items():
        print(f'\n{precision}:\n| primitive | pass | kernel | src dtype | executions |\n|---|---|---|---|---|')
        for r in rows: print(f"| {r['primitive']} | {r['pass_']} | {r['kernel']} | {r['dtype']} | {r['executions']} |")


if __name__ == '__main__':
    main()

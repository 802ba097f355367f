"""Inference speed of candidate student layouts (#50) against the shipped models, in the same run: LiteRT float twins, one
face at a time and in batches of 256. New layouts are timed with untrained weights (speed does not depend on them).

    python bench/students.py
    python bench/students.py --layouts separable:0.65 separable:1.5 vgg:0.35 --rounds 3
    python bench/students.py --train vgg:0.5:bf16 separable:0.65:float32 separable:0.65:bf16   # training steps instead
    python bench/students.py --train reference::float32 reference::bf16   # a layout without a width

With --train it times training steps instead (`model.fit` on 20 batches of 64 random faces, after a warm-up fit), the
cost that decides how long a student takes to train on the CPU.
"""
from __future__ import annotations
import argparse, tempfile, time
from pathlib import Path
import numpy as np


def median_seconds(fn, n):
    "Median wall time of `fn()` over `n` calls, after one warm-up call."
    fn(); times = []
    for _ in range(n): t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return float(np.median(times))


def train_steps(specs):
    "Wall time of one fit of 20 steps of 64 faces per layout and precision, printed as ms a step."
    from fer_nb.env import describe_machine, import_keras
    from fer_nb.model import build_model, mflops
    from fer_nb.train import PRECISIONS
    keras = import_keras(); rng = np.random.default_rng(0)
    x = rng.random((64 * 20, 48, 48, 1), dtype=np.float32); y = np.eye(7, dtype=np.float32)[rng.integers(0, 7, len(x))]
    print(f"machine: {describe_machine()}\n\n| layout | precision | MFLOP/face | ms a step of 64 | s an epoch of 28,709 faces |\n|---|---|---|---|---|")
    for spec in specs:
        arch, width, precision = spec.split(':')
        keras.mixed_precision.set_global_policy(PRECISIONS[precision])
        try: m = build_model(arch, **(dict(width=float(width)) if width else {}))   # `reference::float32`: no width
        finally: keras.mixed_precision.set_global_policy('float32')
        m.fit(x[:128], y[:128], batch_size=64, epochs=1, verbose=0)   # compiles the step
        t = time.perf_counter(); m.fit(x, y, batch_size=64, epochs=1, verbose=0); step = (time.perf_counter() - t) / 20
        print(f"| {arch}:{width} | {precision} | {mflops(m)} | {step * 1000:.0f} | {step * 28709 / 64:.0f} |", flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--shipped', nargs='*', default=['reference', 'vgg_w05', 'vgg_w1_kd'], help='shipped models (their .tflite twins)')
    p.add_argument('--layouts', nargs='*', default=['separable:0.65', 'separable:1.5'], help='ARCH:WIDTH of untrained candidates')
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--train', nargs='*', metavar='ARCH:WIDTH:PRECISION', help='time training steps of these instead (precision float32 or bf16)')
    args = p.parse_args(argv)
    if args.train: return train_steps(args.train)
    from fer_nb.env import describe_machine
    from fer_nb.model import MODELS_DIR, LiteModel, build_model, mflops, shipped_models, to_tflite
    x = np.random.default_rng(0).random((256, 48, 48, 1), dtype=np.float32)
    cards, tmp, models = shipped_models(), Path(tempfile.mkdtemp()), {}
    for name in args.shipped: models[name] = (LiteModel(MODELS_DIR/f'{name}.tflite'), cards[name].get('mflops'))
    for spec in args.layouts:
        arch, width = spec.split(':'); m = build_model(arch, width=float(width), compile=False)
        models[spec] = (LiteModel(to_tflite(m, tmp/f"{spec.replace(':', '_')}.tflite")), mflops(m))
    print(f"machine: {describe_machine()}\n\n| model | MFLOP/face | one face, ms | faces/s in batches of 256 | round |\n|---|---|---|---|---|")
    for r in range(args.rounds):
        for name, (lm, mf) in models.items():
            batch, one = median_seconds(lambda: lm.forward(x), 5), median_seconds(lambda: lm.forward(x[:1]), 200)
            print(f"| {name} | {mf} | {one * 1000:.2f} | {len(x) / batch:,.0f} | {r + 1} |", flush=True)


if __name__ == '__main__': main()

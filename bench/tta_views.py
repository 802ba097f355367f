"""Is n-crop test-time averaging worth it? PublicTest accuracy of a shipped model with more and more views per face.

    python bench/tta_views.py --data ../shared/data/fer2013.csv.gz --model vgg_w05

Views: the face; its mirror (fer_nb's `tta=True`); then shifted copies (reflect-padded, shifted by s pixels up, down,
left, right, and for 9 views also diagonally), each with its mirror, averaged. PublicTest only: this is a choice.
"""
from __future__ import annotations
import argparse, os
import numpy as np

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')


def shifted(x, dy, dx, pad=4):
    "Faces `(N,48,48,1)` shifted by (dy, dx) pixels, borders reflected."
    p = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode='reflect')
    return np.ascontiguousarray(p[:, pad + dy:pad + dy + x.shape[1], pad + dx:pad + dx + x.shape[2]])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', help='the FER2013 CSV'); ap.add_argument('--model', default=None, help='shipped name or path')
    ap.add_argument('--runtime', default='auto')
    args = ap.parse_args(argv)
    from fer_nb.data import load_fer2013, to_float
    from fer_nb.model import load_model, predict_probs
    data, model = load_fer2013(args.data), load_model(args.model, runtime=args.runtime)
    x, y = to_float(data.x_val), data.y_val
    acc = lambda p: f'{(p.argmax(1) == y).mean():.2%}'
    print(f'{getattr(model, "name", args.model)}, PublicTest ({len(y):,} faces)\n| views | accuracy |\n|---|---|')
    print(f'| 1 (the face) | {acc(predict_probs(model, x))} |\n| 2 (+ mirror) | {acc(predict_probs(model, x, tta=True))} |')
    for s in (2, 3):
        for views in ([(0, 0), (s, 0), (-s, 0), (0, s), (0, -s)], [(0, 0), (s, 0), (-s, 0), (0, s), (0, -s), (s, s), (-s, -s), (s, -s), (-s, s)]):
            p = sum(predict_probs(model, shifted(x, dy, dx), tta=True) for dy, dx in views) / len(views)
            print(f'| {2 * len(views)} ({len(views)} shifts of {s} px, each + mirror) | {acc(p)} |')


if __name__ == '__main__':
    main()

"""Does averaging the weights of a model and its fine-tuned child help? PublicTest accuracy along the line between them.

    git show 0770536:fer_nb/models/vgg_w1.keras > /tmp/vgg_w1.keras      # vgg_w1_kd's parent, before distillation
    python bench/soup.py --data ../shared/data/fer2013.csv.gz /tmp/vgg_w1.keras vgg_w1_kd --alpha 0 0.5 0.75 1

A "model soup" (Wortsman et al. 2022): weights `(1 - alpha) * A + alpha * B`, batch-norm statistics included, for two
checkpoints of one architecture where B was trained on from A (`fer-nb train --init A`), so both lie in one basin.
Scored with the mirror (`tta='flip'`), on PublicTest only: it is a choice, so PrivateTest is not looked at.
"""
from __future__ import annotations
import argparse, os, time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('parent', help='model A: a shipped name or a .keras path')
    ap.add_argument('child', help='model B, of the same architecture, trained on from A')
    ap.add_argument('--alpha', nargs='+', type=float, default=[0, 0.5, 1], help="B's share of the weights")
    ap.add_argument('--data', help='the FER2013 CSV')
    args = ap.parse_args(argv)
    import numpy as np
    from fer_nb.data import load_fer2013
    from fer_nb.model import load_model, predict_probs
    data = load_fer2013(args.data)
    a, b = (load_model(spec, runtime='keras') for spec in (args.parent, args.child))
    wa, wb = a.get_weights(), b.get_weights()
    if [w.shape for w in wa] != [w.shape for w in wb]: raise SystemExit(f'{args.parent} and {args.child}: different architectures')
    a.temperature = None   # a temperature changes no top class; the soup has none of its own
    print(f'PublicTest ({len(data.y_val):,} faces), with the mirror\n\n| alpha | accuracy | seconds |\n|---|---|---|')
    for alpha in args.alpha:
        start = time.time()
        a.set_weights([(1 - alpha) * u + alpha * v for u, v in zip(wa, wb)])
        accuracy = (predict_probs(a, data.x_val, tta='flip').argmax(1) == data.y_val).mean()
        print(f'| {alpha:g} | {accuracy:.2%} | {time.time() - start:.0f} |', flush=True)


if __name__ == '__main__':
    main()

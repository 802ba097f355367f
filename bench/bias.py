"""Would a per-class bias, fitted on PublicTest, lift accuracy? Bias-corrected temperature scaling for each shipped model.

    python bench/bias.py --data ../shared/data/fer2013.csv.gz
    python bench/bias.py --data ../shared/data/fer2013.csv.gz --models reference_kd --splits 50

BCTS (Alexandari et al. 2020) re-weights the served probabilities as `softmax(a * log p + b)`, with one scale `a` and one
bias per class `b`, fitted by log-loss. Unlike a temperature it can change the top class, so it could move accuracy.
The choice is made on PublicTest alone: fitted on a random half and scored on the other half, over `--splits` splits
(the "held-out half" column). PrivateTest is printed beside it, with the bias fitted on all of PublicTest, to report
what the choice would have given, not to make it.
"""
from __future__ import annotations
import argparse, os

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import numpy as np


def fit_bcts(labels, # true classes `(N,)`
             probs, # probabilities `(N,C)`
             steps=3000, # gradient steps on the mean log-loss
             lr=0.5, # step size
            ):
    "The scale `a` and biases `b` (mean 0) that minimise the log-loss of `softmax(a * log(probs) + b)`."
    lp = np.log(np.clip(probs, 1e-12, None)); onehot = np.eye(probs.shape[1])[labels]; a, b = 1.0, np.zeros(probs.shape[1])
    for _ in range(steps):   # convex in (a, b): plain gradient descent converges
        z = a * lp + b; q = np.exp(z - z.max(1, keepdims=True)); q /= q.sum(1, keepdims=True)
        g = (q - onehot) / len(labels); a -= lr * float((g * lp).sum()); b -= lr * g.sum(0); b -= b.mean()
    return a, b


def bcts_top(probs, a, b):
    "Top classes after BCTS."
    return (a * np.log(np.clip(probs, 1e-12, None)) + b).argmax(1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', help='the FER2013 CSV')
    ap.add_argument('--models', nargs='+', help='shipped names or model files (default: every shipped model)')
    ap.add_argument('--splits', type=int, default=20, help='random halvings of PublicTest for the held-out column')
    args = ap.parse_args(argv)
    from fer_nb.data import load_fer2013
    from fer_nb.env import describe_machine
    from fer_nb.model import load_model, predict_probs, shipped_models
    data = load_fer2013(args.data); (xv, yv), (xt, yt) = data.val, data.test; rng = np.random.default_rng(0)
    print(f"machine: {describe_machine()}\n\n| model | PublicTest held-out half: as served | with BCTS | PrivateTest: as served | with BCTS (fitted on all PublicTest) |\n|---|---|---|---|---|")
    for name in args.models or list(shipped_models()):
        model = load_model(name); pv, pt = predict_probs(model, xv), predict_probs(model, xt)
        plain, fitted = [], []
        for _ in range(args.splits):
            order = rng.permutation(len(yv)); fit, held = order[:len(yv) // 2], order[len(yv) // 2:]
            a, b = fit_bcts(yv[fit], pv[fit])
            plain.append(np.mean(pv[held].argmax(1) == yv[held])); fitted.append(np.mean(bcts_top(pv[held], a, b) == yv[held]))
        a, b = fit_bcts(yv, pv)
        print(f"| {name} | {np.mean(plain):.2%} | {np.mean(fitted):.2%} | {np.mean(pt.argmax(1) == yt):.2%} | {np.mean(bcts_top(pt, a, b) == yt):.2%} |", flush=True)


if __name__ == '__main__': main()

"""Which test-time averaging, and which crop shift? PublicTest accuracy of models with more views per face.

    python bench/tta_views.py --data ../shared/data/fer2013.csv.gz --model vgg_w05 vgg_w075 ~/.cache/fer_nb/runs/NAME/best.keras

Views (fer_nb's `tta_views`): the face; + its mirror (`tta='flip'`); ten crops (`tta='crops'`): the face and four
copies shifted by s pixels towards each corner (borders mirrored), each with its mirror, for s = 2, 3, 4.
PublicTest only: `TTA_SHIFT` and each model's choice are made here, so PrivateTest is not looked at.
"""
from __future__ import annotations
import argparse, os
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
SHIFTS = (2, 3, 4)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', help='the FER2013 CSV')
    ap.add_argument('--model', nargs='+', default=[None], help='shipped names or .keras paths (default: the best shipped)')
    args = ap.parse_args(argv)
    import numpy as np
    from fer_nb.data import load_fer2013, to_float
    from fer_nb.model import load_model, predict_probs, tta_views
    data = load_fer2013(args.data)
    x, y = to_float(data.x_val), data.y_val
    acc = lambda p: f'{(p.argmax(1) == y).mean():.2%}'
    print(f'PublicTest ({len(y):,} faces)\n\n| model | the face | + mirror | '
          + ' | '.join(f'ten crops, {s} px' for s in SHIFTS) + ' |\n|---|---|---|' + '---|' * len(SHIFTS))
    for spec in args.model:
        model = load_model(spec, runtime='keras')
        crops = [np.mean([predict_probs(model, v) for v in tta_views(x, 'crops', shift=s)], 0) for s in SHIFTS]
        name = Path(spec).parent.name if str(spec).endswith('.keras') else spec or 'the best shipped'
        print(f'| `{name}` | {acc(predict_probs(model, x))} | {acc(predict_probs(model, x, tta="flip"))} | '
              + ' | '.join(acc(p) for p in crops) + ' |', flush=True)


if __name__ == '__main__':
    main()

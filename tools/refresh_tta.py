"""Re-score the test-time-augmentation figures of shipped models' cards, leaving their files and other figures alone.

    python tools/refresh_tta.py --data ../shared/data/fer2013.csv.gz                 # every shipped model
    python tools/refresh_tta.py --data ../shared/data/fer2013.csv.gz --model vgg_w05

`finish_card` writes `tta` (mirror) and `tta_crops` (ten crops) for every model it ships. This adds them to cards
written before a kind of TTA existed, without re-converting the twins or re-timing the int8 runtime, which
`finish_card` would also do. Timings are taken here, so run it with nothing else on the cores.
"""
from __future__ import annotations
import argparse, json, os

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', required=True, help='the FER2013 CSV')
    ap.add_argument('--model', nargs='+', help='shipped names (default: all)')
    args = ap.parse_args(argv)
    from fer_nb.data import load_fer2013
    from fer_nb.model import MODELS_DIR, load_model, shipped_models
    from fer_nb.ship import tta_figures
    data = load_fer2013(args.data)
    for name in args.model or shipped_models():
        path = MODELS_DIR/f'{name}.json'; card = json.loads(path.read_text())
        model = load_model(MODELS_DIR/f'{name}.keras', runtime='keras')
        card['tta'], card['tta_crops'] = tta_figures(model, data), tta_figures(model, data, 'crops')
        path.write_text(json.dumps(card, indent=2))
        print(name, json.dumps({k: card[k] for k in ('tta', 'tta_crops')}), flush=True)


if __name__ == '__main__':
    main()

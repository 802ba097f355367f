"""Store shipped models' weights as float16 in place (`save_half`), then re-score and re-complete their cards.

    python tools/halve_shipped.py --data ../shared/data/fer2013.csv.gz reference vgg_w05 vgg_w075

For models shipped before `ship_model` stored float16 weights, whose run folders are gone. The card keeps its history,
command and training figures; its accuracy, loss and ECE are scored again on the float16 file (`score_model`), and
`finish_card` rewrites the twins, TTA, int8 and calibration figures and the hashes.
"""
import argparse, json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', help='the FER2013 CSV'); ap.add_argument('names', nargs='+', help='shipped model names')
    args = ap.parse_args(argv)
    from fer_nb.data import load_fer2013
    from fer_nb.model import MODELS_DIR, load_model, save_half
    from fer_nb.ship import finish_card, score_model
    data = load_fer2013(args.data)
    for name in args.names:
        card_file, keras_file = MODELS_DIR/f'{name}.json', MODELS_DIR/f'{name}.keras'
        card = json.loads(card_file.read_text())
        model = load_model(keras_file, runtime='keras')
        card_file.unlink()   # scored without the old card's temperature
        save_half(model, keras_file)
        card.update(score_model(load_model(keras_file, runtime='keras'), data))
        card = finish_card(name, data, card=card)
        print(name, {k: card[k] for k in ('val_accuracy', 'test_accuracy', 'weights', 'twin', 'runtime')}, flush=True)

if __name__ == '__main__':
    main()

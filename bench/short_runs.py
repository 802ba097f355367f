"""Short training runs for the accuracy-per-CPU-hour table in `04_train`: each recipe for a budget of about 10 minutes.

    python bench/short_runs.py --data ../shared/data/fer2013.csv.gz                  # every recipe, one after another
    python bench/short_runs.py --data ../shared/data/fer2013.csv.gz --only resnet_w05
    python bench/short_runs.py --data ../shared/data/fer2013.csv.gz --record-only    # re-copy and re-score finished runs
    python bench/short_runs.py --table                                                # what bench/runs holds

Each recipe is a plain `fer-nb train` command (printed before it runs) into `~/.cache/fer_nb/runs/NAME`, so a killed
run resumes and a finished one is not trained again. Its `config.json` and `history.csv` are then copied to
`bench/runs/NAME.json` with the run's float32 PublicTest and PrivateTest scores (`fer-nb train` writes them to
`metrics.json`) and the same with mirror and ten-crop TTA, which `04_train` reads for its table. Epoch counts are set so that the cosine schedule
ends inside the budget at this machine's pace; `--max-minutes 10` stops a run that falls behind. The `_time` recipes
span the cosine over the 10 minutes instead (`--schedule time`), so they end annealed however their epochs went.
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMON = ['--precision', 'bf16', '--max-minutes', '10', '--quiet']
SCORES = ('train_seconds', 'best_epoch', 'val_accuracy', 'test_accuracy')   # from the run's metrics.json, re-scored in float32
TTAS = ('flip', 'crops')   # test-time augmentations scored as well (`fer_nb.model.tta_views`)
RECIPES = {   # name: (run folder, settings); `ref_10min` is the first 10-minute run, kept under its old folder name
    'reference': ('ref_10min', ['--arch', 'reference', '--epochs', '25', '--augment']),
    'vgg_w05': ('short_vgg_w05', ['--arch', 'vgg', '--width', '0.5', '--epochs', '9', '--augment']),
    'resnet_w05': ('short_resnet_w05', ['--arch', 'resnet', '--width', '0.5', '--epochs', '8', '--augment']),
    'vgg_w05_sgd': ('short_vgg_w05_sgd', ['--arch', 'vgg', '--width', '0.5', '--epochs', '9', '--optimizer', 'sgd',
                                          '--lr', '0.02', '--weight-decay', '0.0005', '--augment']),
    'reference_b128': ('short_reference_b128', ['--arch', 'reference', '--epochs', '26', '--batch-size', '128', '--lr', '0.002', '--augment']),
    'reference_b128_noaug': ('short_reference_b128_noaug', ['--arch', 'reference', '--epochs', '26', '--batch-size', '128',
                                                            '--lr', '0.002']),
    'reference_b128_aug05': ('short_reference_b128_aug05', ['--arch', 'reference', '--epochs', '25', '--batch-size', '128',
                                                            '--lr', '0.002', '--augment', '--augment-strength', '0.5']),
    'reference_b128_e23': ('short_reference_b128_e23', ['--arch', 'reference', '--epochs', '23', '--batch-size', '128',
                                                        '--lr', '0.002', '--augment']),
    'vgg_w025_b128': ('short_vgg_w025_b128', ['--arch', 'vgg', '--width', '0.25', '--epochs', '20', '--batch-size', '128',
                                              '--lr', '0.002', '--augment']),
    # the best recipe with label smoothing (its schedule was cut at 22 of 26 epochs by slow epochs)
    'reference_b128_ls': ('short_reference_b128_ls', ['--arch', 'reference', '--epochs', '26', '--batch-size', '128',
                                                      '--lr', '0.002', '--augment', '--label-smoothing', '0.1']),
    # the cosine over the 10 minutes, not over a guessed number of epochs (`--schedule time`): every run ends annealed
    'reference_b128_time': ('short_reference_b128_time', ['--arch', 'reference', '--schedule', 'time', '--epochs', '100',
                                                          '--batch-size', '128', '--lr', '0.002', '--augment']),
    'reference_b128_time_s1': ('short_reference_b128_time_s1', ['--arch', 'reference', '--schedule', 'time', '--epochs', '100',
                                                                '--batch-size', '128', '--lr', '0.002', '--augment', '--seed', '1']),
    'reference_b128_time_sgd': ('short_reference_b128_time_sgd', ['--arch', 'reference', '--schedule', 'time', '--epochs', '100',
                                                                  '--batch-size', '128', '--optimizer', 'sgd', '--lr', '0.05',
                                                                  '--weight-decay', '0.0005', '--augment']),
    'reference_b128_time_aug05': ('short_reference_b128_time_aug05', ['--arch', 'reference', '--schedule', 'time', '--epochs', '100',
                                                                      '--batch-size', '128', '--lr', '0.002', '--augment',
                                                                      '--augment-strength', '0.5']),
    'reference_b128_time_ema': ('short_reference_b128_time_ema', ['--arch', 'reference', '--schedule', 'time', '--epochs', '100',
                                                                  '--batch-size', '128', '--lr', '0.002', '--augment', '--ema', '0.998']),
    'reference_b128_time_lr4': ('short_reference_b128_time_lr4', ['--arch', 'reference', '--schedule', 'time', '--epochs', '100',
                                                                  '--batch-size', '128', '--lr', '0.004', '--augment']),
}


def record(name: str, runs: Path, data) -> Path:
    "Copy a recipe's config, history and float32 scores (`metrics.json`; with each TTA, scored now) into bench/runs/NAME.json."
    out = runs/RECIPES[name][0]
    from fer_nb.runs import read_history
    from fer_nb.evaluate import evaluate
    from fer_nb.model import load_model
    from fer_nb.data import FER2013, load_fer2013
    data = data if isinstance(data, FER2013) else load_fer2013(data)
    scores = {k: v for k, v in json.loads((out/'metrics.json').read_text()).items() if k in SCORES}
    model = load_model(out/'best.keras', runtime='keras')
    for tta in TTAS:
        scores[tta] = {f'{key}_accuracy': round(evaluate(model, data, split=split, tta=tta)['accuracy'], 4)
                       for key, split in (('val', 'PublicTest'), ('test', 'PrivateTest'))}
    dest = ROOT/'bench'/'runs'/f'{name}.json'; dest.parent.mkdir(exist_ok=True)
    dest.write_text(json.dumps(dict(config=json.loads((out/'config.json').read_text()), history=read_history(out),
                                    scores=scores), indent=1))
    return dest


def run(name: str, data: str, runs: Path) -> Path:
    "Train (or resume) one recipe with the `fer-nb` command, which also scores it, then `record` it."
    cmd = [str(Path(sys.executable).parent/'fer-nb'), 'train', '--data', data, *RECIPES[name][1], *COMMON,
           '--out', str(runs/RECIPES[name][0])]
    print('$', ' '.join(cmd[1:]), flush=True)
    subprocess.run(cmd, check=True, env={**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3'})
    return record(name, runs, data)


def table(root=ROOT/'bench'/'runs') -> str:
    "A Markdown table of the recorded recipes: settings, epochs run (of planned), seconds, float32 PublicTest and PrivateTest."
    rows = ['| recipe | network | batch | peak lr | optimizer | schedule | augmentation | epochs | s | PublicTest | + mirror '
            '| + ten crops | PrivateTest | + mirror | + ten crops |', '|---' * 15 + '|']
    for f in sorted(Path(root).glob('*.json')):
        r = json.loads(f.read_text()); c, s = r['config'], r['scores']
        aug = f"x{c.get('augment_strength', 1.0)}" if c['augment'] else 'none'
        net = c['arch'] + (f" w{c['width']}" if c.get('width') else '')
        rows.append(f"| `{f.stem}` | {net} | {c['batch_size']} | {c['lr']} | "
                    f"{c['optimizer']} | {c.get('schedule', 'cosine')} | {aug} | "
                    f"{len(r['history'])}{'' if c.get('schedule') == 'time' else '/' + str(c['epochs'])} | {s['train_seconds']:.0f} | "
                    + ' | '.join(f"{(s.get(tta, {}) if tta else s).get(f'{key}_accuracy', float('nan')):.2%}"
                                 for key in ('val', 'test') for tta in (None, *TTAS)) + ' |')
    return '\n'.join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', help='the FER2013 CSV')
    ap.add_argument('--only', nargs='+', choices=list(RECIPES), help='run only these recipes')
    ap.add_argument('--table', action='store_true', help='print the recorded recipes as a Markdown table, and stop')
    ap.add_argument('--record-only', action='store_true', help='only copy finished runs into bench/runs (no training)')
    ap.add_argument('--runs', default='~/.cache/fer_nb/runs', help='where the run folders live')
    args = ap.parse_args(argv)
    if args.table: print(table()); return
    if not args.data: ap.error('--data is needed: to train, and to score the runs with TTA')
    runs = Path(args.runs).expanduser()
    for name in args.only or RECIPES: print('wrote', record(name, runs, args.data) if args.record_only else run(name, args.data, runs))


if __name__ == '__main__':
    main()

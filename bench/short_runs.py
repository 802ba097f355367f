"""Short training runs for the accuracy-per-CPU-hour table in `02_train`: each recipe for a budget of about 10 minutes.

    python bench/short_runs.py --data ../shared/data/fer2013.csv.gz                  # every recipe, one after another
    python bench/short_runs.py --data ../shared/data/fer2013.csv.gz --only resnet_w05

Each recipe is a plain `fer-nb train` command (printed before it runs) into `~/.cache/fer_nb/runs/NAME`, so a killed
run resumes and a finished one is not trained again. Its `config.json` and `history.csv` are then copied to
`bench/runs/NAME.json`, which `02_train` reads for its table and plot. Epoch counts are set so that the cosine schedule
ends inside the budget at this machine's pace; `--max-minutes 10` stops a run that falls behind.
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMON = ['--precision', 'bf16', '--augment', '--max-minutes', '10', '--quiet']
RECIPES = {   # name: (run folder, settings); `ref_10min` is the first 10-minute run, kept under its old folder name
    'reference': ('ref_10min', ['--arch', 'reference', '--epochs', '25']),
    'vgg_w05': ('short_vgg_w05', ['--arch', 'vgg', '--width', '0.5', '--epochs', '9']),
    'resnet_w05': ('short_resnet_w05', ['--arch', 'resnet', '--width', '0.5', '--epochs', '8']),
    'vgg_w05_sgd': ('short_vgg_w05_sgd', ['--arch', 'vgg', '--width', '0.5', '--epochs', '9', '--optimizer', 'sgd',
                                          '--lr', '0.02', '--weight-decay', '0.0005']),
}


def run(name: str, data: str, runs: Path) -> Path:
    "Train (or resume) one recipe with the `fer-nb` command, then copy its config and history into bench/runs/NAME.json."
    folder, settings = RECIPES[name]
    out = runs/folder
    cmd = [str(Path(sys.executable).parent/'fer-nb'), 'train', '--data', data, *settings, *COMMON, '--out', str(out)]
    print('$', ' '.join(cmd[1:]), flush=True)
    subprocess.run(cmd, check=True, env={**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3'})
    sys.path.insert(0, str(ROOT))
    from fer_nb.train import read_history
    dest = ROOT/'bench'/'runs'/f'{name}.json'; dest.parent.mkdir(exist_ok=True)
    dest.write_text(json.dumps(dict(config=json.loads((out/'config.json').read_text()), history=read_history(out)), indent=1))
    return dest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', required=True, help='the FER2013 CSV')
    ap.add_argument('--only', nargs='+', choices=list(RECIPES), help='run only these recipes')
    ap.add_argument('--runs', default='~/.cache/fer_nb/runs', help='where the run folders live')
    args = ap.parse_args(argv)
    for name in args.only or RECIPES: print('wrote', run(name, args.data, Path(args.runs).expanduser()))


if __name__ == '__main__':
    main()

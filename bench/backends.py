"""Which Keras backend trains fastest on this machine? `fer-nb train` itself under each, TensorFlow the baseline.

    python bench/backends.py --data ../shared/data/fer2013.csv.gz        # about 20 minutes on 2 AVX2 cores

Each round runs `fer-nb train` once per backend, in a child process (a backend is fixed at import), with the long
runs' recipe in float32: SGD-Nesterov, augmentation and erasing, `--limit` Training faces, 64 PublicTest faces scored
after each epoch. The first epoch (tracing, compiling) is left out; the row gives the median seconds of the rest,
then the median over rounds. The backends take turns in a rotating order, so the VM's drift hits each alike.
`tensorflow` is fer_nb's default, with oneDNN's kernels on (`fer_nb.env.TF_ENV`); `tensorflow-no-onednn` has
`TF_ENABLE_ONEDNN_OPTS=0`, which is what TensorFlow itself chooses on CPUs without AVX-512, and is the baseline.
"""
from __future__ import annotations
import argparse, json, os, shlex, statistics, subprocess, sys, tempfile
from pathlib import Path

BACKENDS = {'tensorflow-no-onednn': {'TF_ENABLE_ONEDNN_OPTS': '0'}, 'tensorflow': {}, 'torch': {}, 'jax': {}}   # the first: baseline
NETS = {'reference': ('reference', None), 'vgg0.5': ('vgg', 0.5), 'vgg1.0': ('vgg', 1.0)}   # --nets: (arch, width)
TRAINING_FACES = 28_709   # one full epoch, for the minutes column


def train_seconds(backend, # a key of BACKENDS
                  net, # a key of NETS
                  data, limit, epochs, out):
    "Median seconds of the epochs after the first, from the run's `history.csv`, for `fer-nb train` under `backend`."
    from fer_nb.data import locate_fer2013
    from fer_nb.train import train_command
    from fer_nb.runs import read_history
    arch, width = NETS[net]
    recipe = dict(data=locate_fer2013(data), arch=arch, width=width, precision='float32', epochs=epochs, limit=limit, val_limit=64,
                  augment=True, erase=True, optimizer='sgd', lr=0.01, weight_decay=5e-4)   # `TrainConfig` fields
    cmd = [*shlex.split(train_command(recipe)), '--quiet', '--out', str(out)]
    env = {**{k: v for k, v in os.environ.items() if k != 'TF_ENABLE_ONEDNN_OPTS'}, 'KERAS_BACKEND': backend.split('-')[0],
           'TF_CPP_MIN_LOG_LEVEL': '3', **BACKENDS[backend]}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode: sys.exit(f'{backend}, {net}: fer-nb train failed: {(done.stderr.strip().splitlines() or ["?"])[-1]}')
    return statistics.median(r['seconds'] for r in read_history(out)[1:])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', help='the FER2013 CSV (default: fer_nb finds it)')
    ap.add_argument('--nets', nargs='+', choices=NETS, default=['reference', 'vgg1.0'], help='networks to time')
    ap.add_argument('--backends', nargs='+', choices=BACKENDS, default=list(BACKENDS), help='the first is the baseline')
    ap.add_argument('--limit', type=int, default=512, help='Training faces an epoch')
    ap.add_argument('--epochs', type=int, default=3, help='epochs a child trains; the first is not timed')
    ap.add_argument('--rounds', type=int, default=2, help='children per backend and network')
    ap.add_argument('--json', help='also write the rows to this JSON file')
    args = ap.parse_args(argv)
    if args.epochs < 2: ap.error('--epochs must be at least 2: the first epoch is not timed')
    from fer_nb.env import cpu_fields, cpu_flags, simd_level
    machine = f"{cpu_fields().get('model name', '?')}, {os.cpu_count()} cores, {simd_level(cpu_flags())}"
    print(f'{machine}; fer-nb train, float32, {args.limit} faces an epoch, median of {args.rounds} rounds\n', flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for net in args.nets:
            secs = {b: [] for b in args.backends}
            for k in range(args.rounds):
                for j in range(len(args.backends)):
                    b = args.backends[(j + k) % len(args.backends)]   # rotating order
                    secs[b].append(train_seconds(b, net, args.data, args.limit, args.epochs, Path(tmp, f'{net}_{b}_{k}')))
                    print(f'  {net}, {b}, round {k + 1}: {secs[b][-1]:.1f} s an epoch', flush=True)
            base = statistics.median(secs[args.backends[0]])
            for b in args.backends:
                s = statistics.median(secs[b])
                rows.append(dict(net=net, backend=b, seconds=round(s, 2), images_per_s=round(args.limit / s, 1),
                                 speedup=round(base / s, 2), full_epoch_minutes=round(TRAINING_FACES / (args.limit / s) / 60, 1)))
    print('\n| network | backend | s an epoch | img/s | against ' + args.backends[0] + ' | a full epoch |\n|---|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['net']} | {r['backend']} | {r['seconds']:.1f} | {r['images_per_s']:.1f} | {r['speedup']:.2f}x | "
              f"{r['full_epoch_minutes']:.1f} min |")
    if args.json: Path(args.json).write_text(json.dumps(dict(machine=machine, rows=rows), indent=2))


if __name__ == '__main__':
    main()

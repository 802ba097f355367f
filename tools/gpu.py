"""Train on the GPU machine lent to some sessions (JAX or PyTorch, no TensorFlow, no network), then ship on the CPU.

Each `run` call there carries the working tree plus named ignored paths, 64 MiB in all; the tracked tree is about
50 MB (the shipped models), so the data goes over in parts of at most 12 MB, one part per call:

    python tools/gpu.py pack                    # here: .gpu/part0..N (Training + PublicTest, lzma) and .gpu/whl
    # there, one call per part, carry ['.gpu/partK']:           mkdir -p /tmp/fer && cp .gpu/partK /tmp/fer/
    # there, with the wheels, carry ['.gpu/whl']:
    #   pip install -q --no-index --no-deps --target /tmp/site .gpu/whl/*.whl
    #   PYTHONPATH=/tmp/site:. KERAS_BACKEND=jax setsid nohup python tools/gpu.py train --parts /tmp/fer --out /tmp/run \\
    #       -- --arch vgg --width 1.0 --precision bf16 --epochs 300 --augment --erase > /tmp/run.log 2>&1 &
    # there, when it has finished (`tail /tmp/run.log`):  PYTHONPATH=/tmp/site:. python tools/gpu.py export --run /tmp/run --out $OUT
    python tools/gpu.py import --from FILES_AT --out ~/.cache/fer_nb/runs/NAME --ship NAME   # here: re-scored on CPU

When the shipped models are left out of the call (`tools/gpu_lease.sh` says how), all parts travel in one call, and
`bash tools/gpu_lease.sh SECONDS 'FLAGS_A' 'FLAGS_B'` there unpacks, trains two runs side by side and exports both.

`train` is `fer_nb.train.train` on the packed arrays, so the run folder, its config (the GPU named in `machine`) and
its history are what `fer-nb train` writes. `export` writes the best epoch's weights as float16 (a file that comes back
is at most 16 MB); `import` rebuilds `best.keras` from them in float32 and ships it, scored on this CPU. PrivateTest
never travels: it is scored here, once.
"""
from __future__ import annotations
import argparse, io, json, lzma, shutil, sys
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PART_BYTES = 12 * 2**20   # one part per call, beside the ~50 MB tracked tree
WHEELS = ('keras-*.whl', 'namex-*.whl', 'optree-*.whl')   # what the GPU machine lacks (../shared/gpu/README.md)


def pack(csv=None, # the FER2013 CSV (default: `find_fer2013`)
         out='.gpu', # folder for the parts and wheels (ignored by git)
         rows=None, # only the first `rows` of Training and of PublicTest (for tests)
         wheels=ROOT.parent/'shared'/'gpu', # where the three wheels are
        ) -> list[Path]:
    "Training and PublicTest as one lzma-compressed `.npz`, cut into parts of at most `PART_BYTES`; copies the wheels."
    from fer_nb.data import load_fer2013, USAGES
    data = load_fer2013(csv)
    keep = np.concatenate([np.flatnonzero(data.usage == USAGES.index(u))[:rows] for u in ('Training', 'PublicTest')])
    buf = io.BytesIO()
    np.savez(buf, pixels=data.pixels[keep], labels=data.labels[keep], usage=data.usage[keep], path=str(data.path))
    blob = lzma.compress(buf.getvalue(), preset=6)
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    for old in out.glob('part*'): old.unlink()
    parts = []
    for k in range(0, len(blob), PART_BYTES):
        parts.append(out/f'part{k // PART_BYTES}'); parts[-1].write_bytes(blob[k:k + PART_BYTES])
    if Path(wheels).is_dir():
        (out/'whl').mkdir(exist_ok=True)
        for pattern in WHEELS:
            for w in Path(wheels).glob(pattern):
                (out/'whl'/w.name).unlink(missing_ok=True); shutil.copyfile(w, out/'whl'/w.name)
    return parts


def unpack(parts_dir) -> 'FER2013':
    "The `FER2013` (Training and PublicTest only) from the parts in `parts_dir`, joined in order."
    from fer_nb.data import FER2013
    files = sorted(Path(parts_dir).glob('part*'), key=lambda p: int(p.name[4:]))
    if not files: raise FileNotFoundError(f"{parts_dir}: no part0, part1, … (made by `python tools/gpu.py pack`)")
    try: arrays = np.load(io.BytesIO(lzma.decompress(b''.join(p.read_bytes() for p in files))))
    except lzma.LZMAError: raise ValueError(f"{parts_dir}: parts {', '.join(p.name for p in files)} do not join into the packed data; is one missing?") from None
    return FER2013(arrays['pixels'], arrays['labels'], arrays['usage'], path=Path(str(arrays['path'])))


def export(run, # a run folder written by `train`
           out, # where to write (on the GPU machine: $OUT)
          ) -> Path:
    "The best epoch's weights as float16 `weights.npz`, with the run's `config.json` and `history.csv`, into `out`."
    import keras
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    model = keras.saving.load_model(Path(run)/'best.keras', compile=False)
    np.savez(out/'weights.npz', *[w.astype(np.float16) for w in model.get_weights()])
    for name in ('config.json', 'history.csv'): shutil.copy(Path(run)/name, out/name)
    return out/'weights.npz'


def import_run(src, # what `export` wrote, brought back
               out, # the run folder to make here
              ) -> Path:
    "Rebuild a run folder from `export`'s files: the architecture from the config, the weights in float32."
    from fer_nb.model import build_model
    src, out = Path(src), Path(out); out.mkdir(parents=True, exist_ok=True)
    config = json.loads((src/'config.json').read_text())
    model = build_model(config['arch'], compile=False, **({'width': config['width']} if config.get('width') else {}))
    with np.load(src/'weights.npz') as z: weights = [z[f'arr_{i}'].astype(np.float32) for i in range(len(z.files))]
    model.set_weights(weights)
    model.save(out/'best.keras')
    for name in ('config.json', 'history.csv'): shutil.copy(src/name, out/name)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('pack', help='here: the data in parts, and the wheels, into .gpu/')
    p.add_argument('--data', help='the FER2013 CSV'); p.add_argument('--out', default='.gpu'); p.add_argument('--rows', type=int)
    p = sub.add_parser('train', help="there: `fer_nb.train.train` on the packed data; flags after `--` are `fer-nb train`'s")
    p.add_argument('--parts', required=True); p.add_argument('--out', required=True)
    p = sub.add_parser('export', help="there: the best weights (float16), config and history, into --out")
    p.add_argument('--run', required=True); p.add_argument('--out', required=True)
    p = sub.add_parser('import', help='here: a run folder from what export wrote; --ship NAME ships it, scored on this CPU')
    p.add_argument('--from', dest='src', required=True); p.add_argument('--out', required=True); p.add_argument('--ship')
    argv = sys.argv[1:] if argv is None else list(argv)
    own, flags = (argv[:argv.index('--')], argv[argv.index('--') + 1:]) if '--' in argv else (argv, [])
    args = ap.parse_args(own)
    if args.cmd == 'pack':
        for part in pack(args.data, args.out, args.rows): print(f'{part}: {part.stat().st_size / 2**20:.1f} MiB')
    elif args.cmd == 'train':
        from fer_nb.train import add_train_arguments, config_from_args, train
        config = config_from_args(add_train_arguments(argparse.ArgumentParser(prog='fer-nb train')).parse_args(flags))
        command = ' '.join(['python tools/gpu.py train --parts', args.parts, '--out', args.out, '--', *flags])
        print(json.dumps(train(unpack(args.parts), config, out=args.out, verbose=2, command=command), default=str), flush=True)
    elif args.cmd == 'export': print('wrote', export(args.run, args.out))
    else:
        run = import_run(args.src, Path(args.out).expanduser()); print('run folder', run)
        if args.ship:
            from fer_nb.ship import ship_model
            print('shipped as', ship_model(run, args.ship))


if __name__ == '__main__':
    main()

"""The base install as a new user gets it: `pip install .` (no extras) into a fresh venv, then `fer-nb predict`, `video` and
`evaluate` run there, and the commands that need an extra say which in one line.

    python tools/light_install.py [--data fer2013.csv.gz] [--json OUT]

Prints the site-packages size (apparent MB, 2**20 bytes; pip byte-compiles, as a user's `pip install` does), the wheel's size,
the cold `fer-nb predict` time of one photo (a new process each time, median of 5), and each check. Exits 1 when a check fails.
Needs the package index (pip) and runs from the dev venv (scikit-image writes the photo, OpenCV the clip)."""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ABSENT = ('tensorflow', 'jax', 'torch', 'keras', 'numba', 'matplotlib', 'sklearn', 'scipy', 'pandas')   # none in the base install
SOURCES = ('setup.py', 'settings.ini', 'README.md', 'LICENSE', 'fer_nb')   # what `pip install .` builds from


def size_mb(folder) -> float:
    "Apparent size of the files under `folder`, in MB (2**20 bytes)."
    return sum(f.stat().st_size for f in Path(folder).rglob('*') if f.is_file() and not f.is_symlink()) / 2**20


def make_inputs(d: Path):
    "The astronaut photo (one smiling face, scikit-image) and a 3 s, 640x480 clip of it drifting right."
    import cv2, numpy as np
    from skimage import data
    photo = d/'astronaut.png'; cv2.imwrite(str(photo), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    frame = cv2.resize(cv2.imread(str(photo)), (480, 480)); clip = d/'astronaut.mp4'
    w = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*'mp4v'), 10, (640, 480))
    for i in range(30):
        canvas = cv2.copyMakeBorder(frame, 0, 0, 80, 80, cv2.BORDER_CONSTANT)
        w.write(cv2.warpAffine(canvas, np.float32([[1, 0, 2 * i - 30], [0, 1, 0]]), (640, 480)))
    w.release()
    return photo, clip


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=os.environ.get('FER2013_CSV'), help='FER2013 .csv(.gz) for `fer-nb evaluate` (default: $FER2013_CSV)')
    p.add_argument('--json', metavar='OUT', help='also write the figures and checks here')
    args = p.parse_args(argv)
    if not args.data or not Path(args.data).is_file(): p.error(f'FER2013 file not found: {args.data!r}; pass --data or set FER2013_CSV')
    figures, checks = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp); src = tmp/'src'; src.mkdir()
        for name in SOURCES:   # a copy, so that the build leaves no build/ or egg-info in the work tree
            (shutil.copytree if (ROOT/name).is_dir() else shutil.copy2)(ROOT/name, src/name, **({'ignore': shutil.ignore_patterns('__pycache__')} if (ROOT/name).is_dir() else {}))
        subprocess.run([sys.executable, '-m', 'venv', tmp/'venv'], check=True)
        bin_ = tmp/'venv'/'bin'; py = bin_/'python'
        env = {k: v for k, v in os.environ.items() if k not in ('VIRTUAL_ENV', 'PYTHONPATH', 'FER_NB_MODELS')}
        env.update(PATH=f"{bin_}{os.pathsep}{env['PATH']}", FER_NB_CACHE=str(tmp/'cache'))   # a new user's empty cache
        run = lambda *cmd, **kw: subprocess.run([str(c) for c in cmd], cwd=tmp, env=env, capture_output=True, text=True, **kw)
        site = Path(run(py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])').stdout.strip())
        fresh = size_mb(site)
        t = time.perf_counter(); r = run(py, '-m', 'pip', 'install', '-q', src)
        if r.returncode: print(r.stdout + r.stderr); return 1
        figures.update(install_s=round(time.perf_counter() - t, 1), site_packages_mb=round(size_mb(site), 1),
                       fresh_venv_mb=round(fresh, 1), added_mb=round(size_mb(site) - fresh, 1),
                       fer_nb_mb=round(size_mb(site/'fer_nb'), 1))
        r = run(sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '-w', tmp/'wheel', src)
        figures['wheel_mb'] = round(sum(f.stat().st_size for f in (tmp/'wheel').glob('*.whl')) / 2**20, 1) if not r.returncode else None
        found = json.loads(run(py, '-c', f"import importlib.util, json; print(json.dumps([m for m in {ABSENT!r} if importlib.util.find_spec(m)]))").stdout)
        checks['no heavy libraries'] = (not found, f'importable: {found}' if found else f"none of {', '.join(ABSENT)}")
        photo, clip = make_inputs(tmp)

        r = run(bin_/'fer-nb', 'predict', photo, '--json')
        faces = json.loads(r.stdout) if not r.returncode else []
        checks['predict: one face, Happy'] = (len(faces) == 1 and faces[0]['emotion'] == 'Happy', r.stderr.strip()[-300:] or [f['emotion'] for f in faces])
        cold = []
        for _ in range(5):   # a new process each time: imports, the models' loading, detection and the forward pass
            t = time.perf_counter(); run(bin_/'fer-nb', 'predict', photo); cold.append(time.perf_counter() - t)
        figures.update(cold_predict_s=round(statistics.median(cold), 3), cold_predict_first_s=round(cold[0], 3))

        r = run(bin_/'fer-nb', 'video', clip, '--csv', tmp/'rows.csv', '--quiet')
        rows = (tmp/'rows.csv').read_text().splitlines()[1:] if (tmp/'rows.csv').exists() else []
        checks['video: a row per sampled frame'] = (r.returncode == 0 and len(rows) >= 10, r.stdout.strip().splitlines()[:1] or r.stderr.strip()[-300:])

        t = time.perf_counter(); r = run(bin_/'fer-nb', 'evaluate', '--runtime', 'lite', '--data', Path(args.data).resolve(), '--out', tmp/'eval')
        figures['evaluate_s'] = round(time.perf_counter() - t, 1)
        if r.returncode: checks['evaluate'] = (False, r.stderr.strip()[-300:])
        else:
            m = json.loads((tmp/'eval'/'metrics.json').read_text())
            card = json.loads(run(py, '-c', f"from fer_nb.model import shipped_models; import json; print(json.dumps(shipped_models()[{m['model']!r}]))").stdout)
            figures.update(evaluate_model=m['model'], evaluate_accuracy=round(m['accuracy'], 4))
            checks["evaluate: the card's PrivateTest accuracy"] = (round(m['accuracy'], 4) == card['test_accuracy'], f"{m['model']}: {m['accuracy']:.4f}, card {card['test_accuracy']}")
            checks['evaluate: report, no figures, says why'] = (sorted(f.name for f in (tmp/'eval').iterdir()) == ['classification_report.txt', 'metrics.json']
                                                                and 'pip install "fer_nb[plots]"' in r.stderr, r.stderr.strip().splitlines()[-1:])
        for cmd, feature, extra in ((['train', '--data', args.data, '--epochs', '1'], 'fer-nb train', 'train'), (['export'], 'fer-nb export', 'train'),
                                    (['predict', photo, '--runtime', 'keras'], 'fer-nb predict --runtime keras', 'train'), (['serve'], 'fer-nb serve', 'serve'),
                                    (['predict', photo, '--engine', 'ray', '--out', str(Path(tmp)/'shards')], 'fer-nb predict --engine ray', 'scale')):
            r = run(bin_/'fer-nb', *cmd, timeout=120)
            lines = r.stderr.strip().splitlines()
            checks[f'{feature}: one line naming [{extra}]'] = (r.returncode == 1 and len(lines) == 1 and lines[0].startswith(f'fer-nb: error: {feature} needs ')
                                                               and lines[0].endswith(f'pip install "fer_nb[{extra}]"'), lines[-3:])
    for k, v in figures.items(): print(f'{k}: {v}')
    for name, (ok, detail) in checks.items(): print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    if args.json: Path(args.json).write_text(json.dumps(dict(figures=figures, checks={k: dict(ok=bool(ok), detail=str(d)) for k, (ok, d) in checks.items()}), indent=1))
    return 0 if all(ok for ok, _ in checks.values()) else 1


if __name__ == '__main__': sys.exit(main())

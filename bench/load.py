"""CSV -> arrays: the usual per-row pandas approach against fer_nb's parser (cold) and its cache, in one run.

    python bench/load.py --data ../shared/data/fer2013.csv.gz

Prints seconds for each path and the ratios. Run on an idle machine; absolute times drift, ratios hold.
"""
import argparse, gzip, os, platform, shutil, tempfile, time
from pathlib import Path
import numpy as np

def per_row_baseline(path):
    "The seed notebook's approach: pandas read_csv, then split every pixel string in Python."
    import pandas as pd
    df = pd.read_csv(path)
    x = np.array([np.array(s.split(), dtype=np.uint8) for s in df['pixels']]).reshape(-1, 48, 48, 1)
    return x, df['emotion'].to_numpy()

def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return min(times)

def main():
    p = argparse.ArgumentParser(); p.add_argument('--data', default=os.environ.get('FER2013_CSV'))
    p.add_argument('--repeat', type=int, default=3); args = p.parse_args()
    from fer_nb.data import load_fer2013, parse_fer2013_bytes
    src = Path(args.data)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; file {src} ({src.stat().st_size / 1e6:.0f} MB)")
    t = time.perf_counter()
    parse_fer2013_bytes(b'emotion,pixels,Usage\n0,' + b' '.join([b'1'] * 2304) + b',Training\n')
    print(f"one-off numba kernel load (per process): {time.perf_counter() - t:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ['FER_NB_CACHE'] = str(Path(tmp)/'cache')
        files = {'csv.gz': src}
        if src.suffix == '.gz':
            plain = Path(tmp)/'fer2013.csv'
            with gzip.open(src) as f, open(plain, 'wb') as g: shutil.copyfileobj(f, g)
            files['csv'] = plain
        rows = []
        for kind, path in files.items():
            base = best_of(lambda: per_row_baseline(path), 1)
            cold = best_of(lambda: load_fer2013(path, cache=False), args.repeat)
            load_fer2013(path)  # writes the cache
            cached = best_of(lambda: load_fer2013(path), args.repeat)
            ref, _ = per_row_baseline(path); ours = load_fer2013(path)
            assert (ref == ours.pixels).all(), 'parsers disagree'
            rows.append((kind, base, cold, cached))
    print(f"\n| file | per-row pandas (s) | fer_nb cold parse (s) | fer_nb cached (s) | cold speed-up | cached speed-up |")
    print(f"|---|---|---|---|---|---|")
    for kind, base, cold, cached in rows:
        print(f"| .{kind} | {base:.2f} | {cold:.3f} | {cached:.3f} | {base / cold:.1f}x | {base / cached:.0f}x |")
    print("\ngoals: cold <= 1.0 s, cached <= 0.1 s; identical arrays checked above")

if __name__ == '__main__': main()

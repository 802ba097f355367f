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

FIRST_CALL = """
import sys, time
t = time.perf_counter()
from fer_nb.data import load_fer2013
load_fer2013(sys.argv[1])
print(time.perf_counter() - t)
"""

def fresh_process(path, cache):
    "Seconds of `import fer_nb.data` + the first `load_fer2013(path)` in a new Python process, as a user meets it."
    import subprocess, sys
    r = subprocess.run([sys.executable, '-c', FIRST_CALL, str(path)], capture_output=True, text=True, check=True,
                       env={**os.environ, 'FER_NB_CACHE': str(cache)})
    return float(r.stdout.strip().splitlines()[-1])

def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return min(times)

def main():
    p = argparse.ArgumentParser(); p.add_argument('--data', default=os.environ.get('FER2013_CSV'))
    p.add_argument('--repeat', type=int, default=3); args = p.parse_args()
    from fer_nb.data import load_fer2013
    src = Path(args.data)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; file {src} ({src.stat().st_size / 1e6:.0f} MB)")
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
            fresh_cache = Path(tmp)/f'fresh-{kind}'
            first = min(fresh_process(path, fresh_cache/str(i)) for i in range(args.repeat))   # empty cache each time
            first_cached = min(fresh_process(path, fresh_cache/'0') for _ in range(args.repeat))
            rows.append((kind, base, cold, cached, first, first_cached))
    print(f"\n| file | per-row pandas (s) | fer_nb cold parse (s) | fer_nb cached | cold speed-up | cached speed-up | new process, first call: cold (s) | new process, first call: cached (s) |")
    print(f"|---|---|---|---|---|---|---|---|")
    for kind, base, cold, cached, first, first_cached in rows:
        print(f"| .{kind} | {base:.2f} | {cold:.3f} | {cached * 1e3:.2f} ms | {base / cold:.1f}x | {base / cached:,.0f}x | {first:.3f} | {first_cached:.3f} |")
    print("\ngoals: .csv first call in a new process <= 1.0 s (import, numba load, parse, cache write), cached <= 0.1 s; identical arrays checked above")

if __name__ == '__main__': main()

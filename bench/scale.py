"""Ray Data against `fer-nb predict`'s thread pool, in one run on the same cores (#49).

    python bench/scale.py                       # 2,000 photos; a 20,000-file job for the driver's memory
    python bench/scale.py --photos 500 --crops 5000

It makes (once, under ~/.cache/fer_nb/bench_scale) a folder of `--photos` files like a real job's (`scale.mixed_folder`:
real photos, FER2013 faces pasted into photos, face-free photos, broken files) and one of `--crops` 48x48 FER2013 faces.
Then, with the default model:
- the start-up and shut-down time of a local Ray cluster (`ray_session`);
- photos/s of `predict_files` (the thread pool of `fer-nb predict --csv`), the plain baseline;
- photos/s of `predict_shards` with 1 and 2 actors on the same cluster, and Ray's cost per file against the baseline;
- the driver's resident memory every half second of a `--crops`-file job with 2 actors (its rows stream to shards).
"""
from __future__ import annotations
import argparse, os, sys, tempfile, threading, time
from pathlib import Path
import numpy as np


def rss_mb() -> float:
    "This process's resident memory, MB (Linux)."
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'): return int(line.split()[1]) / 1024
    return float('nan')


def crops_folder(out: Path, n: int, data) -> Path:
    "`n` FER2013 faces as 48x48 PNGs (taken whole: no detection), from the test splits, repeated as needed."
    import cv2
    out.mkdir(parents=True, exist_ok=True)
    if len(list(out.glob('*.png'))) == n: return out
    faces = np.concatenate([data.x_val, data.x_test])[..., 0]
    for k in range(n): cv2.imwrite(str(out/f'{k:06d}.png'), faces[k % len(faces)])
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--photos', type=int, default=2000); p.add_argument('--crops', type=int, default=20000)
    p.add_argument('--model', default=None); p.add_argument('--cache', default=str(Path.home()/'.cache'/'fer_nb'/'bench_scale'))
    args = p.parse_args(argv)
    from fer_nb.env import describe_machine
    from fer_nb.data import load_fer2013
    from fer_nb.batch import predict_files
    from fer_nb.model import default_model
    from fer_nb.scale import mixed_folder, predict_shards, ray_session
    cache = Path(args.cache); data = load_fer2013()
    photos = cache/f'photos_{args.photos}'
    if not photos.exists() or len(list(photos.iterdir())) != args.photos:
        shared = Path(__file__).resolve().parents[2]/'shared'/'data'/'photos'
        mixed_folder(photos, n=args.photos, data=data, photos=sorted(shared.glob('*.jpg')) + sorted((shared/'labelled').glob('*.jpg')))
    crops = crops_folder(cache/f'crops_{args.crops}', args.crops, data)
    model = args.model or default_model()
    print(f"machine: {describe_machine()}; model {model}; {args.photos:,} photos, {args.crops:,} crops")
    t = time.perf_counter()
    with ray_session(num_cpus=os.cpu_count()): pass
    print(f"local cluster started and stopped: {time.perf_counter() - t:.1f} s")
    work = Path(tempfile.mkdtemp())
    t = time.perf_counter(); predict_files([photos], work/'pool.csv', model, progress=False); pool = time.perf_counter() - t
    print(f"thread pool (predict_files, {os.cpu_count()} threads): {pool:.1f} s, {args.photos / pool:.1f} photos/s")
    rates = {}
    with ray_session(num_cpus=os.cpu_count()):
        for actors in (1, 2):
            t = time.perf_counter()
            predict_shards([photos], work/f'ray{actors}', shard_size=500, model=model, actors=actors, threads=max(1, os.cpu_count() // actors), progress=False)
            took = time.perf_counter() - t; rates[actors] = args.photos / took
            print(f"Ray, {actors} actor(s) x {max(1, os.cpu_count() // actors)} thread(s): {took:.1f} s, {rates[actors]:.1f} photos/s, "
                  f"{rates[actors] / (args.photos / pool):.2f}x the pool, {1000 * (took - pool) / args.photos:+.2f} ms a file")
        samples, stop = [], threading.Event()
        def watch():
            while not stop.is_set(): samples.append(rss_mb()); time.sleep(0.5)
        w = threading.Thread(target=watch, daemon=True); w.start()
        t = time.perf_counter(); predict_shards([crops], work/'crops', shard_size=1000, model=model, actors=2, progress=False); took = time.perf_counter() - t
        stop.set(); w.join()
    q = len(samples) // 4
    print(f"{args.crops:,} crops, 2 actors: {took:.1f} s ({args.crops / took:.0f} files/s); driver RSS {samples[0]:.0f} MB at the start, "
          f"{np.median(samples[q:2 * q]):.0f} MB median of the second quarter, {np.median(samples[-q:]):.0f} MB of the last, {max(samples):.0f} MB at most")
    print(f"target: Ray with 2 actors >= 85% of the pool: {rates[2] / (args.photos / pool):.0%}")


if __name__ == '__main__': main()

"""`fer-nb serve` under load, against in-process `predict` on the same photo and the same cores, in one run.

    python bench/serve.py                          # 8 clients for 30 s, one worker, the default model
    python bench/serve.py --workers 2 --seconds 10

It starts `fer-nb serve` on 127.0.0.1 (a free port), times `predict` in this process on the same 640x480 photo with one
face for the same number of seconds (the plain baseline), then lets `--clients` threads each post the photo as fast as
the server answers, for `--seconds`, and stops everything. Traffic goes to 127.0.0.1 only and ends by itself. It
prints photos/s both ways and their ratio, the latency percentiles, the errors, and each worker's resident memory at
the start and the end of the load (`/proc`, Linux), with the issue's targets beside them.
"""
from __future__ import annotations
import argparse, http.client, io, json, os, signal, socket, subprocess, sys, threading, time
from pathlib import Path
import numpy as np


def photo_640x480() -> bytes:
    "scikit-image's astronaut photo (one face, NASA, public domain) as a 640x480 JPEG."
    import cv2
    from PIL import Image
    from skimage import data
    buf = io.BytesIO(); Image.fromarray(cv2.resize(data.astronaut(), (640, 480), interpolation=cv2.INTER_AREA)).save(buf, 'JPEG', quality=90)
    return buf.getvalue()


def rss_mb(pid: int) -> float:
    "Resident memory of a process, MB (Linux)."
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS:'): return int(line.split()[1]) / 1024
    return float('nan')


def workers_of(pid: int) -> list[int]:
    "The uvicorn worker processes under `pid` (spawned by multiprocessing), or `pid` itself when it serves alone."
    kids = [int(p) for p in Path(f'/proc/{pid}/task/{pid}/children').read_text().split()]
    return [k for k in kids if 'spawn_main' in Path(f'/proc/{k}/cmdline').read_bytes().decode(errors='replace')] or [pid]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--clients', type=int, default=8); ap.add_argument('--seconds', type=float, default=30.0)
    ap.add_argument('--workers', type=int, default=1); ap.add_argument('--model', default=None, help='default: the best shipped')
    args = ap.parse_args(argv)
    import httpx
    from fer_nb.env import describe_machine
    from fer_nb.infer import predict
    from fer_nb.model import load_model
    photo = photo_640x480()
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    cmd = [str(Path(sys.executable).parent/'fer-nb'), 'serve', '--port', str(port), '--workers', str(args.workers)] + (['--model', args.model] if args.model else [])
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f'http://127.0.0.1:{port}'
    try:
        for _ in range(240):
            try:
                if httpx.get(f'{url}/readyz', timeout=2).status_code == 200: break
            except httpx.TransportError: pass
            time.sleep(0.25)
        else: sys.exit('fer-nb serve did not become ready in 60 s')
        # the baseline: predict in this process, one photo after another, for the same time
        model = load_model(args.model); predict(photo, model)
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < args.seconds: predict(photo, model); n += 1
        inproc = n / (time.perf_counter() - t0)
        # the load: `clients` threads, each posting as fast as it is answered, with the standard library's HTTP client (a
        # multipart body built once: the load generator shares the 2 cores, so it should cost the server as little as it can)
        files = [('images', ('photo.jpg', photo, 'image/jpeg'))]
        boundary = 'fer-nb-bench-boundary'
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="images"; filename="photo.jpg"\r\n'
                f'Content-Type: image/jpeg\r\n\r\n').encode() + photo + f'\r\n--{boundary}--\r\n'.encode()
        headers = {'Content-Type': f'multipart/form-data; boundary={boundary}'}
        with httpx.Client() as warm:
            for _ in range(2 * args.workers): warm.post(f'{url}/v1/predict', files=files, timeout=30)
        pids = workers_of(server.pid); rss0 = [rss_mb(p) for p in pids]
        latencies, errors, ended, stop = [], [], [], time.perf_counter() + args.seconds
        def client():
            c = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
            while time.perf_counter() < stop:
                t = time.perf_counter()
                try:
                    c.request('POST', '/v1/predict', body, headers); r = c.getresponse(); text = r.read()
                    ok = r.status == 200 and json.loads(text)['images'][0]['status'] == 'ok'
                    if not ok: r = f'{r.status} {text[:200]!r}'
                except (OSError, http.client.HTTPException) as e:
                    ok, r = False, e; c.close(); c = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
                (latencies if ok else errors).append(time.perf_counter() - t if ok else str(r))
            c.close(); ended.append(time.perf_counter())
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        t0, samples = time.perf_counter(), []
        for t in threads: t.start()
        while any(t.is_alive() for t in threads): time.sleep(args.seconds / 6); samples.append([rss_mb(p) for p in pids])
        for t in threads: t.join()
        served = len(latencies) / (max(ended) - t0)
        rss1 = [rss_mb(p) for p in pids]
    finally:
        os.killpg(server.pid, signal.SIGTERM); server.wait(30)
    p50, p99 = (np.percentile(latencies, q) * 1e3 for q in (50, 99))
    print(f'machine: {describe_machine()}')
    print(f'model: {getattr(model, "name", args.model)}; {args.workers} worker(s), {args.clients} clients, {args.seconds:g} s, 640x480 JPEG with one face\n')
    print('| measure | baseline (in-process predict) | fer-nb serve | ratio | target |\n|---|---|---|---|---|')
    print(f'| photos/s | {inproc:.1f} | {served:.1f} | {served / inproc:.2f}x | >= 0.80x |')
    print(f'| latency p50 / p99 | | {p50:.0f} / {p99:.0f} ms | | p99 <= 250 ms |')
    print(f'| errors | | {len(errors)} of {len(latencies) + len(errors)} | | 0 |')
    print(f"| RSS per worker, start -> each sixth of the load | | {'; '.join(' -> '.join(f'{v:.0f}' for v in [rss0[k], *(s[k] for s in samples)]) + ' MB' for k in range(len(pids)))} | | flat, <= 500 MB |")
    if errors: print('first error:', errors[0])


if __name__ == '__main__':
    main()

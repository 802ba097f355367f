"""Batch scoring on Ray Data (#49): a local Ray cluster, started and stopped here, writes exactly the rows of
`fer-nb predict --csv` for a folder of real photos, FER2013 faces pasted into photos, face-free photos and broken files;
a driver killed with SIGKILL mid-job and started again ends with every file exactly once."""
import csv, os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
import pytest
pytest.importorskip('ray')
pytestmark = pytest.mark.slow   # see conftest: `make test-fast` leaves these out
SHARED_PHOTOS = Path(__file__).resolve().parents[2]/'shared'/'data'/'photos'
FER_NB = str(Path(sys.executable).parent/'fer-nb')

@pytest.fixture(scope='module')
def job(real_data, tmp_path_factory):
    from fer_nb.scale import mixed_folder
    photos = sorted(SHARED_PHOTOS.glob('*.jpg')) + sorted((SHARED_PHOTOS/'labelled').glob('*.jpg'))
    return mixed_folder(tmp_path_factory.mktemp('scale')/'job', n=300, data=real_data, photos=photos)

def shard_rows(out):
    import pyarrow.parquet as pq
    return [r for f in sorted(Path(out).glob('part-*.parquet')) for r in pq.read_table(f).to_pylist()]

def test_ray_rows_equal_predict_csv(job, tmp_path):
    from fer_nb.scale import predict_shards, ray_session
    r = subprocess.run([FER_NB, 'predict', str(job), '--csv', str(tmp_path/'local.csv'), '--model', 'reference'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    local = list(csv.DictReader(open(tmp_path/'local.csv')))
    with ray_session(num_cpus=2, object_store_memory=2**30) as ray:
        assert ray.cluster_resources()['CPU'] == 2
        counts = predict_shards([job], tmp_path/'shards', shard_size=100, model='reference', actors=2, progress=False)
    assert not ray.is_initialized()
    got = shard_rows(tmp_path/'shards')
    assert counts['files'] == 300 and counts['shards'] == 3 and len(got) == len(local)
    statuses = {s: sum(r['status'].startswith(s) for r in local if r['face'] in ('', '0')) for s in ('ok', 'no_face', 'error')}
    assert statuses['ok'] >= 200 and statuses['no_face'] >= 20 and statuses['error'] >= 10, statuses   # every kind of file is there
    assert sum(r['faces'] not in ('', '0', '1') for r in local if r['face'] == '0') >= 3                # photos with several faces
    for a, b in zip(local, got):
        assert (a['file'], a['status'], a['faces'], a['face'], a['x'], a['y'], a['w'], a['h'], a['emotion']) == \
               tuple('' if b[k] is None else str(b[k]) for k in ('file', 'status', 'faces', 'face', 'x', 'y', 'w', 'h', 'emotion'))
        if a['status'] == 'ok':
            assert max(abs(float(a[c]) - b[c]) for c in ('score', 'Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise', 'Neutral')) <= 1e-5
    print(f"{len(got)} rows from 300 files: {statuses}")

def test_driver_killed_then_resumed_scores_every_file_once(job, tmp_path):
    out = tmp_path/'shards'
    cmd = [FER_NB, 'predict', str(job), '--engine', 'ray', '--out', str(out), '--shard-size', '25', '--model', 'reference', '--actors', '2']
    env = {**os.environ, 'RAY_DEDUP_LOGS': '0'}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env)
    deadline = time.time() + 300
    while len(list(out.glob('part-*.parquet'))) < 3 and time.time() < deadline and proc.poll() is None: time.sleep(0.1)
    assert proc.poll() is None, f"finished before the kill: {proc.stderr.read().decode()[-2000:]}"
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    before = len(list(out.glob('part-*.parquet')))
    assert 3 <= before < 12, before
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f'{before} already there' in r.stdout, r.stdout
    files = [row['file'] for row in shard_rows(out) if row['face'] in (None, 0)]
    assert len(files) == 300 and len(set(files)) == 300 and not list(out.glob('*.tmp'))   # every file exactly once
    print(f"killed with {before} of 12 shards written; resumed: {r.stdout.strip()}")

def test_bad_jobs_are_one_line(job, tmp_path):
    r = subprocess.run([FER_NB, 'predict', str(job), '--engine', 'ray'], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.strip() == 'fer-nb: error: --engine ray writes shards to a folder: give --out DIR', r.stderr
    from fer_nb.scale import job_manifest
    job_manifest(tmp_path, ['a.png'], 10, dict(model='m'))
    r = subprocess.run([FER_NB, 'predict', str(job), '--engine', 'ray', '--out', str(tmp_path)], capture_output=True, text=True, timeout=300)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 1 and lines[-1].startswith(f'fer-nb: error: {tmp_path}: holds the shards of another job'), lines[-3:]

def test_videos_one_task_each_same_rows_as_fer_nb_video(tmp_path):
    from skimage import data as skdata
    from fer_nb.video import pan_zoom_clip
    clips = [pan_zoom_clip(skdata.astronaut(), tmp_path/f'{name}.mp4', seconds=2, fps=10) for name in ('a', 'b')]
    (tmp_path/'broken.mp4').write_bytes(b'not a video')
    for clip in clips:
        r = subprocess.run([FER_NB, 'video', str(clip), '--csv', str(tmp_path/f'{Path(clip).stem}_local.csv'), '--model', 'reference', '--quiet'],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run([FER_NB, 'video', *map(str, clips), str(tmp_path/'broken.mp4'), '--engine', 'ray', '--out', str(tmp_path/'ray'), '--model', 'reference'],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, r.stderr[-2000:]   # one video could not be read: said, and the exit code says so
    said = r.stdout.strip().splitlines()
    assert len(said) == 3 and 'broken.mp4: error:' in said[2] and all('10 frames sampled' in line for line in said[:2]), said
    for clip in clips:
        local = list(csv.reader(open(tmp_path/f'{Path(clip).stem}_local.csv'))); ray_rows = list(csv.reader(open(tmp_path/'ray'/f'{Path(clip).stem}.csv')))
        assert len(local) == len(ray_rows) > 1 and local[0] == ray_rows[0]
        for a, b in zip(local[1:], ray_rows[1:]):
            assert all(x == y or abs(float(x) - float(y)) <= 2e-4 for x, y in zip(a, b)), (a, b)   # 4 decimals in the video CSV
    r = subprocess.run([FER_NB, 'video', *map(str, clips), '--engine', 'ray', '--out', str(tmp_path/'ray'), '--model', 'reference'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and all('already done' in line for line in r.stdout.strip().splitlines()), r.stdout   # a rerun resumes

"""Batch jobs: a folder of photos into a CSV, killed mid-run and resumed, gives every file exactly once."""
import csv, os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
import pytest
pytestmark = pytest.mark.slow   # see conftest: `make test-fast` leaves these out
from PIL import Image
from conftest import fer_nb_cli

@pytest.fixture(scope='module')
def folder(real_data, tmp_path_factory):
    "300 photos with a pasted PublicTest face, 20 blank images, 5 broken files."
    from skimage import data as skdata
    from fer_nb.faces import preprocess
    from fer_nb.infer import paste_faces
    d = tmp_path_factory.mktemp('batch')
    backs = [preprocess(getattr(skdata, n)()) for n in ('coffee', 'rocket', 'brick', 'grass')]
    for k, (photo, _) in enumerate(paste_faces(real_data.x_val[:300], backs, seed=1)): Image.fromarray(photo).save(d/f'face_{k:03d}.jpg', quality=90)
    for k in range(20): Image.fromarray(np.full((240, 320), 40 + k, np.uint8)).save(d/f'blank_{k:02d}.png')
    for k in range(5): (d/f'broken_{k}.jpg').write_bytes(b'\xff\xd8\xff' + os.urandom(200))
    return d

def read(path):
    with open(path, newline='') as f: return list(csv.DictReader(f))

def summary(rows):
    "file -> (status, number of rows) for each file in a CSV."
    out = {}
    for r in rows: out.setdefault(r['file'], [r['status'].split(':')[0], 0])[1] += 1
    return {f: tuple(v) for f, v in out.items()}

def test_killed_and_resumed_job_has_every_file_once(folder, tmp_path):
    full = tmp_path/'full.csv'
    r = fer_nb_cli('predict', folder, '--csv', full)
    assert r.returncode == 0, r.stderr
    assert 'files/s' in r.stderr.strip().splitlines()[-1]
    expected = summary(read(full))
    assert len(expected) == 325
    assert sum(v[0] == 'error' for v in expected.values()) == 5 and sum(v[0] == 'no_face' for v in expected.values()) >= 20
    out = tmp_path/'killed.csv'
    exe = Path(sys.executable).parent/'fer-nb'
    proc = subprocess.Popen([str(exe), 'predict', str(folder), '--csv', str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3'}, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None and (not out.exists() or out.read_text().count('\n') < 60): time.sleep(0.05)
    assert proc.poll() is None, 'the job finished before it could be killed'
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    partial = summary(read(out)) if out.stat().st_size else {}
    assert 0 < len(partial) < 325
    r = fer_nb_cli('predict', folder, '--csv', out, '--resume')
    assert r.returncode == 0, r.stderr
    rows = read(out)
    assert summary(rows) == expected                                   # every file once, with all its rows
    assert len(rows) == len(read(full))
    by_face = lambda rs: {(r['file'], r['face']): r['emotion'] for r in rs}
    assert by_face(rows) == by_face(read(full))

def test_glob_and_status_rows(folder, tmp_path):
    r = fer_nb_cli('predict', f'{folder}/b*', '--csv', tmp_path/'b.csv')
    assert r.returncode == 0, r.stderr
    rows = read(tmp_path/'b.csv')
    assert {Path(x['file']).name[:5] for x in rows} == {'blank', 'broke'}
    assert all(x['status'] == 'no_face' for x in rows if 'blank' in x['file'])
    assert all(x['status'].startswith('error: ') and len(x['status']) > 8 for x in rows if 'broken' in x['file'])

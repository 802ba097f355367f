"""Same seed, same data, same command on this CPU => the same model and the same PrivateTest accuracy."""
import json, os, subprocess, sys, time
import pytest
pytestmark = pytest.mark.slow   # see conftest: `make test-fast` leaves these out

SCRIPT = """
import sys, json, time
import numpy as np
from fer_nb.data import FER2013, load_fer2013
from fer_nb.train import train
from fer_nb.ship import score_run
t = time.perf_counter()
train(sys.argv[1], epochs=2, limit=600, val_limit=200, out=sys.argv[2], verbose=0, seed=7,
      augment=True, deterministic=sys.argv[3] == '1')
data = load_fer2013(sys.argv[1]); few = np.concatenate([np.flatnonzero(data.usage == k)[:500] for k in (1, 2)])
m = score_run(sys.argv[2], FER2013(data.pixels[few], data.labels[few], data.usage[few], data.path))   # 500 faces of each test split
print(json.dumps(dict(test_accuracy=m['test_accuracy'], test_loss=m['test_loss'], val_loss=m['val_loss'],
                      seconds=time.perf_counter() - t)))
"""

def run(data, out, deterministic):
    env = {**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3'}
    r = subprocess.run([sys.executable, '-c', SCRIPT, str(data), str(out), '1' if deterministic else '0'],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])

def test_same_seed_same_result(real_path, tmp_path):
    a = run(real_path, tmp_path/'a', True)
    b = run(real_path, tmp_path/'b', True)
    assert (a['test_accuracy'], a['test_loss'], a['val_loss']) == (b['test_accuracy'], b['test_loss'], b['val_loss'])
    print(f"deterministic runs: {a['seconds']:.1f} s and {b['seconds']:.1f} s, PrivateTest accuracy {a['test_accuracy']}")

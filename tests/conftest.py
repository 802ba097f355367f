"""Shared fixtures: the real FER2013 file (required in CI), small generated CSVs, and a face that needs no FER2013.

Two markers sort the tests into tiers. `realdata` is added here to every test that uses the real file (`real_path`,
`real_data`, or a fixture built on them); `slow` marks by hand the tests that train, score whole splits, build the docs
or run for more than a few seconds. `make test-fast` runs the rest (`-m "not slow and not realdata"`); `make test` runs all."""
import os, sys, subprocess
from pathlib import Path
import numpy as np
import pytest
from fer_nb.env import tf_defaults

tf_defaults()   # fer_nb's TensorFlow defaults (oneDNN on) here and in children, whichever test imports TensorFlow first

ROOT = Path(__file__).resolve().parents[1]

def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: trains, scores whole splits, builds the docs, or takes more than a few seconds (`make test-fast` leaves it out)')
    config.addinivalue_line('markers', 'realdata: reads the real FER2013 file (added to every test that uses `real_path` or `real_data`)')

def pytest_collection_modifyitems(config, items):
    for item in items:
        if {'real_path', 'real_data'} & set(getattr(item, 'fixturenames', ())): item.add_marker(pytest.mark.realdata)
SHARED_CSV = ROOT.parent/'shared'/'data'/'fer2013.csv.gz'

def real_csv_path():
    env = os.environ.get('FER2013_CSV')
    return Path(env) if env else SHARED_CSV

@pytest.fixture(scope='session')
def real_path():
    path = real_csv_path()
    if not path.exists():
        if os.environ.get('CI'): pytest.fail(f"real FER2013 file missing in CI: {path}")
        pytest.skip(f"real FER2013 file not found at {path}")
    return path

@pytest.fixture(scope='session')
def real_data(real_path):
    from fer_nb.data import load_fer2013
    return load_fer2013(real_path)

FACE = ' '.join(str((i * 7) % 256) for i in range(2304))

def write_csv(path, rows, header='emotion,pixels,Usage', newline='\n'):
    "Write a small FER2013-style CSV; rows are strings."
    Path(path).write_bytes((newline.join([header, *rows]) + newline).encode())
    return Path(path)

def fer_nb_cli(*args, timeout=600, env=None):
    "Run the installed `fer-nb` command; return the CompletedProcess."
    exe = Path(sys.executable).parent/'fer-nb'
    full_env = {**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3', **(env or {})}
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=full_env)

ASTRONAUT_FACE = (177, 64, 92, 113)   # the face in scikit-image's astronaut photo, as YuNet boxes it (x, y, w, h)

@pytest.fixture(scope='session')
def astronaut_face():
    "A 48x48 grey face cut from scikit-image's astronaut photo (NASA, public domain), framed a little wider than its box: no FER2013 needed."
    import cv2
    from skimage import data
    from fer_nb.faces import preprocess
    x, y, w, h = ASTRONAUT_FACE; m = int(0.15 * w)
    return cv2.resize(preprocess(data.astronaut())[y - m:y + h + m, x - m:x + w + m], (48, 48), interpolation=cv2.INTER_AREA)

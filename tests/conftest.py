"""Shared fixtures: the real FER2013 file (required in CI) and small generated CSVs."""
import os, sys, subprocess
from pathlib import Path
import numpy as np
import pytest
from fer_nb.env import tf_defaults

tf_defaults()   # fer_nb's TensorFlow defaults (oneDNN on) here and in children, whichever test imports TensorFlow first

ROOT = Path(__file__).resolve().parents[1]
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

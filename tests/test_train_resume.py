"""Interrupted training: a run killed with SIGKILL mid-epoch resumes from its folder and finishes every epoch."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest
pytestmark = pytest.mark.slow   # see conftest: `make test-fast` leaves these out
from fer_nb.runs import read_history, run_summary

SCRIPT = """
import sys
from fer_nb.train import train
train(sys.argv[1], epochs=4, limit=800, val_limit=200, out=sys.argv[2], verbose=0, seed=1)
"""

def run_training(data, out):
    env = {**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3'}
    return subprocess.Popen([sys.executable, '-c', SCRIPT, str(data), str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

def test_sigkill_mid_run_then_resume(real_path, tmp_path):
    out = tmp_path/'run'
    proc = run_training(real_path, out)
    deadline = time.time() + 400
    while len(read_history(out)) < 2 and time.time() < deadline and proc.poll() is None: time.sleep(0.2)
    assert len(read_history(out)) >= 2, proc.stderr.read().decode()[-2000:] if proc.poll() is not None else 'timeout'
    time.sleep(0.5)                                             # into the third epoch
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    assert not (out/'metrics.json').exists()
    assert not list(out.glob('*.partial.keras')) or (out/'best.keras').exists()
    killed_at = len(read_history(out))
    assert killed_at < 4
    proc = run_training(real_path, out); assert proc.wait(timeout=600) == 0, proc.stderr.read().decode()[-2000:]
    hist = read_history(out)
    assert [int(r['epoch']) for r in hist] == [0, 1, 2, 3]
    metrics = run_summary(out)
    assert metrics['epochs_run'] == 4
    # the best model is the best PublicTest epoch across both sessions
    assert metrics['best_epoch'] == 1 + max(hist, key=lambda r: r['val_accuracy'])['epoch']

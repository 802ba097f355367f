"""A fine-tune on a folder of one's own, killed with SIGKILL in its unfrozen phase and started again with the same command,
ends with the same history and the same weights, bit for bit, as the fine-tune that was never stopped (#47)."""
import os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
import pytest
pytestmark = pytest.mark.slow   # see conftest: `make test-fast` leaves these out
from fer_nb.runs import read_history

def command(lab, out):
    return [str(Path(sys.executable).parent/'fer-nb'), 'train', '--data', str(lab), '--group-by', r'subject(\d+)', '--arch', 'reference',
            '--init', 'reference', '--freeze-epochs', '1', '--epochs', '4', '--batch-size', '16', '--augment', '--deterministic',
            '--quiet', '--report', str(out.parent), '--out', str(out)]

def weights(path):
    "Every array of a Keras weights file, by its path in the file."
    import h5py
    found = {}
    with h5py.File(path) as f: f.visititems(lambda name, obj: found.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return found

def test_a_killed_fine_tune_resumes_to_the_same_result(real_data, tmp_path, monkeypatch):
    from fer_nb.folders import make_demo_folder
    monkeypatch.setenv('FER_NB_CACHE', str(tmp_path/'cache')); monkeypatch.setenv('TF_CPP_MIN_LOG_LEVEL', '3')
    lab = make_demo_folder(real_data, tmp_path/'lab', per_class=60)
    whole = subprocess.run(command(lab, tmp_path/'whole'), capture_output=True, text=True, timeout=600)
    assert whole.returncode == 0, whole.stderr[-2000:]
    out = tmp_path/'killed'
    proc = subprocess.Popen(command(lab, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 400
    while len(read_history(out)) < 2 and time.time() < deadline and proc.poll() is None: time.sleep(0.02)
    assert proc.poll() is None, f"finished before the kill: {proc.stderr.read().decode()[-2000:]}"
    time.sleep(0.2)                                   # into epoch 2: the backbone unfrozen, at a tenth of the rate
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    killed_at = len(read_history(out))
    assert 2 <= killed_at < 4, killed_at
    again = subprocess.run(command(lab, out), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    a, b = read_history(tmp_path/'whole'), read_history(out)
    assert [r['epoch'] for r in b] == [0, 1, 2, 3]
    for key in ('loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'): assert [r[key] for r in a] == [r[key] for r in b], key
    wa, wb = weights(tmp_path/'whole'/'backup'/'latest.weights.h5'), weights(out/'backup'/'latest.weights.h5')
    assert wa.keys() == wb.keys() and all(np.array_equal(wa[k], wb[k]) for k in wa)   # the last epoch's weights and optimizer state
    print(f"killed after {killed_at} of 4 epochs; resumed to the same {len(wa)} arrays, PublicTest {b[-1]['val_accuracy']:.4f}")

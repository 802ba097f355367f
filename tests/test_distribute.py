"""`fer-nb train --distribute data` (#49) on CPU: JAX over 4 host devices (XLA_FLAGS, set before JAX starts) and TensorFlow
over 4 logical CPUs, each against the one-device run with the same global batch; the JAX-trained model loads under
TensorFlow and scores what JAX logged."""
import json, os, subprocess, sys
import pytest
pytestmark = pytest.mark.slow   # see conftest: `make test-fast` leaves these out

SCRIPT = """
import json, sys
backend, devices, out, batch = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
if backend == 'tensorflow' and devices > 1:   # logical CPUs, before TensorFlow starts
    import tensorflow as tf
    tf.config.set_logical_device_configuration(tf.config.list_physical_devices('CPU')[0], [tf.config.LogicalDeviceConfiguration()] * devices)
from fer_nb.train import train
m = train(None, epochs=2, limit=2048, val_limit=600, batch_size=batch, seed=0, out=out, verbose=0, distribute='data' if devices > 1 else None)
config = json.load(open(out + '/config.json'))
print(json.dumps(dict(val_accuracy=m['val_accuracy'], devices=config['devices'], backend=config['backend'])))
"""

def run(tmp_path, backend, devices, batch, name):
    env = {**os.environ, 'KERAS_BACKEND': backend, 'TF_CPP_MIN_LOG_LEVEL': '3'}
    if backend == 'jax': env['XLA_FLAGS'] = f'--xla_force_host_platform_device_count={devices}'
    r = subprocess.run([sys.executable, '-c', SCRIPT, backend, str(devices), str(tmp_path/name), str(batch)], capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])

@pytest.mark.parametrize('backend', ['jax', 'tensorflow'])
def test_data_parallel_matches_one_device(real_path, tmp_path, backend):
    pytest.importorskip(backend)
    one = run(tmp_path, backend, 1, 64, 'one')
    four = run(tmp_path, backend, 4, 16, 'four')   # 16 a device: the same 64 faces a step
    assert (one['devices'], four['devices'], four['backend']) == (1, 4, backend)
    # 600 faces each: the difference of two accuracies has a standard error of about 2.4 points; 7 points is 3 of them. (TensorFlow's
    # replicas normalise their batches over 16 faces each, not 64, so its four devices do not compute exactly what one does.)
    assert abs(one['val_accuracy'] - four['val_accuracy']) <= 0.07, (one, four)
    print(f"{backend}: PublicTest (600 faces) after 64 steps, one device {one['val_accuracy']:.4f}, four {four['val_accuracy']:.4f}")
    if backend == 'jax':   # the model trained on four JAX devices, loaded and scored by TensorFlow
        check = ("import json, sys, numpy as np, keras\nfrom fer_nb.data import load_fer2013, to_float\nfrom fer_nb.train import _subset\n"
                 "d = load_fer2013(); x, y = _subset(d.x_val, d.y_val, 600, 0)\n"
                 "m = keras.saving.load_model(sys.argv[1]); print(json.dumps(float((m.predict(to_float(x), verbose=0).argmax(1) == y).mean())))")
        r = subprocess.run([sys.executable, '-c', check, str(tmp_path/'four'/'best.keras')], capture_output=True, text=True, timeout=600,
                           env={**os.environ, 'KERAS_BACKEND': 'tensorflow', 'TF_CPP_MIN_LOG_LEVEL': '3'})
        assert r.returncode == 0, r.stderr[-2000:]
        assert abs(json.loads(r.stdout.strip().splitlines()[-1]) - four['val_accuracy']) <= 2 / 600, (r.stdout, four)

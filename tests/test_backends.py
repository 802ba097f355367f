"""Training on any Keras backend: `fer-nb train` under JAX with TensorFlow hidden, and its model scored under TensorFlow."""
import json, os, subprocess, sys, textwrap
import numpy as np
import pytest

pytest.importorskip('jax')

# Runs in a child process: hides TensorFlow (as on a JAX-only GPU machine), trains with the CLI, saves predictions.
CHILD = textwrap.dedent('''
    import importlib.abc, sys
    class NoTensorFlow(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split('.')[0] == 'tensorflow': raise ImportError('TensorFlow is hidden in this test')
    sys.meta_path.insert(0, NoTensorFlow())
    import numpy as np
    from fer_nb.cli import main
    data, run = sys.argv[1], sys.argv[2]
    rc = main(['train', '--data', data, '--arch', 'reference', '--epochs', '3', '--limit', '6000', '--val-limit', '800',
               '--augment', '--precision', 'bf16', '--quiet', '--out', run])
    assert rc == 0, rc
    from fer_nb.data import load_fer2013
    from fer_nb.model import load_model, predict_probs
    np.save(run + '/jax_probs.npy', predict_probs(load_model(run + '/best.keras', runtime='keras'), load_fer2013(data).x_test))
    import keras; print('backend', keras.backend.backend(), 'tensorflow loaded', 'tensorflow' in sys.modules)
''')

@pytest.fixture(scope='module')
def jax_run(tmp_path_factory, real_path):
    run = tmp_path_factory.mktemp('jax') / 'run'
    env = {**os.environ, 'KERAS_BACKEND': 'jax', 'JAX_PLATFORMS': 'cpu', 'TF_CPP_MIN_LOG_LEVEL': '3'}
    r = subprocess.run([sys.executable, '-c', CHILD, str(real_path), str(run)], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'backend jax tensorflow loaded False' in r.stdout, r.stdout
    return run

def test_jax_run_records_its_backend(jax_run):
    config = json.loads((jax_run/'config.json').read_text())
    assert config['backend'] == 'jax' and 'jax backend' in config['machine'] and config['precision'] == 'bf16'
    metrics = json.loads((jax_run/'metrics.json').read_text())   # scored by `fer-nb train` under JAX
    assert metrics['backend'] == 'jax' and metrics['epochs_run'] == 3
    from fer_nb.train import read_history
    history = read_history(jax_run)                           # it learns: loss falls, training accuracy leaves chance
    assert history[0]['loss'] > history[1]['loss'] > history[2]['loss'], history
    assert history[2]['accuracy'] > 0.27, history             # always guessing Happy scores 0.25

def test_jax_model_scores_identically_under_tensorflow(jax_run, real_data):
    import keras
    from fer_nb.model import load_model, predict_probs
    from fer_nb.evaluate import evaluate
    assert keras.backend.backend() == 'tensorflow'
    model = load_model(jax_run/'best.keras', runtime='keras')
    probs, jax_probs = predict_probs(model, real_data.x_test), np.load(jax_run/'jax_probs.npy')
    assert np.abs(probs - jax_probs).max() < 1e-4
    agree = (probs.argmax(1) == jax_probs.argmax(1)).mean()
    assert agree >= 0.999, agree                               # at most 3 of 3,589 faces on a near-tie
    metrics = json.loads((jax_run/'metrics.json').read_text())
    tf_acc = evaluate(model, real_data, 'PrivateTest')['accuracy']
    assert abs(tf_acc - metrics['test_accuracy']) <= 0.001, (tf_acc, metrics['test_accuracy'])

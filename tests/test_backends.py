"""Training on any Keras backend: `fer-nb train` under JAX and under PyTorch with TensorFlow hidden, and its model
scored under TensorFlow. CI installs PyTorch's CPU build where the machine has it on disk (see `.ci/run`). The runs are
short, on a slice of the real FER2013 (`few_path`), to keep CI short. That training under JAX learns is shown by the
shipped `vgg_w1_kd`: its first 160 epochs ran under JAX on a lent GPU, and `test_model_files` re-scores its card."""
import importlib.util, json, os, subprocess, sys, textwrap
import numpy as np
import pytest
pytestmark = pytest.mark.slow   # see conftest: `make test-fast` leaves these out
from conftest import write_csv

BACKENDS = [pytest.param(b, marks=pytest.mark.skipif(importlib.util.find_spec(b) is None, reason=f'{b} is not installed'))
            for b in ('jax', 'torch')]
# JAX trains in bf16, as on the lent GPUs; PyTorch in float32, as PyTorch emulates bf16 (slowly) on CPUs without it
SIZES = {'jax': ['--epochs', '2', '--limit', '1000', '--precision', 'bf16'],   # enough to see the loss fall
         'torch': ['--epochs', '2', '--limit', '500', '--val-limit', '200', '--precision', 'float32']}
FEW = {'Training': 1000, 'PublicTest': 400, 'PrivateTest': 400}   # rows of each split in `few_path`

# Runs in a child process: hides TensorFlow (as on a JAX-only GPU machine), trains with the CLI, saves predictions.
CHILD = textwrap.dedent('''
    import importlib.abc, importlib.machinery, sys
    class NoTensorFlow(importlib.abc.MetaPathFinder, importlib.abc.Loader):   # `find_spec` answers, `import` fails
        def find_spec(self, name, path=None, target=None):
            if name.split('.')[0] == 'tensorflow': return importlib.machinery.ModuleSpec(name, self)
        def create_module(self, spec): raise ImportError('TensorFlow is hidden in this test')
        def exec_module(self, module): pass
    sys.meta_path.insert(0, NoTensorFlow())
    import numpy as np
    from fer_nb.cli import main
    data, run, size = sys.argv[1], sys.argv[2], sys.argv[3:]
    rc = main(['train', '--data', data, '--arch', 'reference', *size, '--augment', '--quiet', '--out', run])
    assert rc == 0, rc
    from fer_nb.data import load_fer2013
    from fer_nb.model import load_model, predict_probs
    np.save(run + '/probs.npy', predict_probs(load_model(run + '/best.keras', runtime='keras'), load_fer2013(data).x_test))
    import keras; print('backend', keras.backend.backend(), 'tensorflow loaded', 'tensorflow' in sys.modules)
''')

@pytest.fixture(scope='module')
def few_path(tmp_path_factory, real_data):
    "The first `FEW` rows of each split of the real FER2013, as a CSV of its own: scoring under each backend stays short."
    from fer_nb.data import USAGES
    rows = [f'{real_data.labels[i]},{" ".join(map(str, real_data.pixels[i].ravel()))},{usage}'
            for usage, n in FEW.items() for i in np.flatnonzero(real_data.usage == USAGES.index(usage))[:n]]
    return write_csv(tmp_path_factory.mktemp('few') / 'few.csv', rows)

@pytest.fixture(scope='module')
def few(few_path):
    "`few_path`, loaded once for this module's tests."
    from fer_nb.data import load_fer2013
    return load_fer2013(few_path)

def test_few_is_a_slice_of_fer2013(few, real_data):
    assert (len(few.y_train), len(few.y_val), len(few.y_test)) == tuple(FEW.values())
    assert (few.x_test == real_data.x_test[:FEW['PrivateTest']]).all() and (few.y_val == real_data.y_val[:FEW['PublicTest']]).all()

@pytest.fixture(scope='module', params=BACKENDS)
def backend_run(request, tmp_path_factory, few_path):
    "A short `fer-nb train` run folder (`SIZES`) made under `request.param` in a child process without TensorFlow."
    backend = request.param
    run = tmp_path_factory.mktemp(backend) / 'run'
    env = {**os.environ, 'KERAS_BACKEND': backend, 'JAX_PLATFORMS': 'cpu', 'TF_CPP_MIN_LOG_LEVEL': '3'}
    r = subprocess.run([sys.executable, '-c', CHILD, str(few_path), str(run), *SIZES[backend]], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert f'backend {backend} tensorflow loaded False' in r.stdout, r.stdout
    return backend, run

def test_run_records_its_backend(backend_run):
    backend, run = backend_run
    config = json.loads((run/'config.json').read_text())
    assert config['backend'] == backend and f'{backend} backend' in config['machine'] and config['precision'] == SIZES[backend][-1]
    metrics = json.loads((run/'metrics.json').read_text())   # scored by `fer-nb train` under that backend
    epochs = int(SIZES[backend][1])
    assert metrics['backend'] == backend and metrics['epochs_run'] == epochs
    from fer_nb.runs import read_history
    history = read_history(run)                               # the loss falls every epoch
    assert len(history) == epochs and all(a['loss'] > b['loss'] for a, b in zip(history, history[1:])), history

def test_model_scores_identically_under_tensorflow(backend_run, few):
    import keras
    from fer_nb.model import load_model, predict_probs
    from fer_nb.evaluate import evaluate
    assert keras.backend.backend() == 'tensorflow'
    backend, run = backend_run
    model = load_model(run/'best.keras', runtime='keras')
    probs, their_probs = predict_probs(model, few.x_test), np.load(run/'probs.npy')
    assert np.abs(probs - their_probs).max() < 1e-4
    differ = probs.argmax(1) != their_probs.argmax(1)          # only on a near-tie, as the probabilities agree
    top2 = np.sort(probs, 1)[:, -2:]
    assert (top2[differ, 1] - top2[differ, 0] < 2e-4).all(), top2[differ]
    metrics = json.loads((run/'metrics.json').read_text())   # scored by `fer-nb train` under that backend
    tf_acc = evaluate(model, few, 'PrivateTest')['accuracy']
    assert abs(tf_acc - metrics['test_accuracy']) <= differ.mean() + 1e-4, (tf_acc, metrics['test_accuracy'])

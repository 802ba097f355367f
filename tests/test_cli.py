"""CLI argument checking: bad flags and values exit 2 with argparse's message, before any work."""
import pytest
from conftest import fer_nb_cli

@pytest.mark.parametrize('args, expected', [
    (['train', '--epochs', '-3'], 'expected a positive integer, got -3'),
    (['train', '--epochs', 'ten'], "expected a positive integer, got 'ten'"),
    (['train', '--batch-size', '0'], 'expected a positive integer, got 0'),
    (['train', '--arch', 'resnet9000'], "invalid choice: 'resnet9000'"),
    (['train', '--lr', '-0.1'], 'expected a positive number'),
    (['train', '--ema', '1.5'], 'expected number in (0, 1), got 1.5'),             # every TrainConfig field checks its range
    (['train', '--teacher-weight', '0'], 'expected number in (0, 1], got 0.0'),
    (['predict', 'x.png', '--min-score', '2'], 'expected number in (0, 1], got 2.0'),
    (['evaluate', '--split', 'Training'], "invalid choice: 'Training'"),
    (['evaluate', '--tta', 'rotate'], "invalid choice: 'rotate'"),
    (['predict'], 'the following arguments are required: PATH'),
    (['frobnicate'], 'invalid choice'),
])
def test_bad_arguments_exit_2(args, expected):
    r = fer_nb_cli(*args, timeout=120)
    assert r.returncode == 2 and expected in r.stderr and 'Traceback' not in r.stderr

def test_missing_model_is_one_line(tmp_path):
    r = fer_nb_cli('predict', tmp_path, '--model', tmp_path/'none.keras', timeout=300)
    assert r.returncode == 1 and r.stderr.strip() == f"fer-nb: error: {tmp_path/'none.keras'}: no such model file"

@pytest.mark.parametrize('args, expected', [
    (['runs', '{tmp}/none'], '{tmp}/none: no such folder; expected a folder of training runs'),
    (['train', '--teacher', 'vgg_w6', '--out', '{tmp}/run'], 'teacher: vgg_w6 is not a file; expected shipped model names'),
    (['train', '--init', '{tmp}/none.keras', '--out', '{tmp}/run'], 'init: {tmp}/none.keras is not a file; expected a .keras model'),
])
def test_missing_input_is_one_line_and_leaves_nothing(tmp_path, args, expected):
    "A folder or model named on the command line that does not exist: one line naming it, and no run folder made."
    r = fer_nb_cli(*[a.format(tmp=tmp_path) for a in args], timeout=300)
    assert r.returncode == 1 and r.stderr.strip().startswith(f"fer-nb: error: {expected.format(tmp=tmp_path)}"), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and list(tmp_path.iterdir()) == []

@pytest.mark.parametrize('runtime, tta', [('lite-int8', None), ('keras', 'crops')])
def test_evaluate_runtime_gives_the_card_figure(real_path, tmp_path, runtime, tta):
    """`fer-nb evaluate --runtime R [--tta T]` prints R, the TTA and the PrivateTest accuracy the card records for them.
    Both flags reach the model through these two; `test_model_files` re-scores each runtime's figure through the API."""
    from fer_nb.model import shipped_models
    name = 'reference_10min' if tta == 'crops' else 'reference'   # its target, >= 65 % from 10 minutes, is its ten-crop figure
    card = shipped_models()[name]
    expected = card['tta_crops']['test_accuracy'] if tta == 'crops' else card['int8']['test_accuracy']
    r = fer_nb_cli('evaluate', '--model', name, '--runtime', runtime, '--data', real_path, '--out', tmp_path,
                   *(['--tta', tta] if tta else []), timeout=600)
    assert r.returncode == 0, r.stderr
    head = r.stdout.splitlines()[0]
    assert f'(runtime {runtime})' in head and (('mirror' in head) == (tta == 'flip')) and (('ten-crop' in head) == (tta == 'crops'))
    got = float(r.stdout.split('accuracy ')[1].split()[0])
    assert abs(got - expected) <= 0.001, (runtime, tta, got, expected)
    assert (tmp_path/'reliability.png').stat().st_size > 10_000

"""CLI argument checking: bad flags and values exit 2 with argparse's message, before any work."""
import pytest
from conftest import fer_nb_cli

@pytest.mark.parametrize('args, expected', [
    (['train', '--epochs', '-3'], 'expected a positive integer, got -3'),
    (['train', '--epochs', 'ten'], "expected a positive integer, got 'ten'"),
    (['train', '--batch-size', '0'], 'expected a positive integer, got 0'),
    (['train', '--arch', 'resnet9000'], "invalid choice: 'resnet9000'"),
    (['train', '--lr', '-0.1'], 'expected a positive number'),
    (['evaluate', '--split', 'Training'], "invalid choice: 'Training'"),
    (['predict'], 'the following arguments are required: PATH'),
    (['frobnicate'], 'invalid choice'),
])
def test_bad_arguments_exit_2(args, expected):
    r = fer_nb_cli(*args, timeout=120)
    assert r.returncode == 2 and expected in r.stderr and 'Traceback' not in r.stderr

def test_missing_model_is_one_line(tmp_path):
    r = fer_nb_cli('predict', tmp_path, '--model', tmp_path/'none.keras', timeout=300)
    assert r.returncode == 1 and r.stderr.strip() == f"fer-nb: error: {tmp_path/'none.keras'}: no such model file"

@pytest.mark.parametrize('runtime', ['keras', 'lite', 'lite-int8'])
def test_evaluate_runtime_gives_the_card_figure(real_path, tmp_path, runtime):
    "`fer-nb evaluate --runtime R` prints R and the PrivateTest accuracy the card records for it."
    from fer_nb.model import shipped_models
    card = shipped_models()['reference']
    expected = {'keras': card['test_accuracy'], 'lite': card['int8']['test_accuracy_float32'], 'lite-int8': card['int8']['test_accuracy']}[runtime]
    r = fer_nb_cli('evaluate', '--model', 'reference', '--runtime', runtime, '--data', real_path, '--out', tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr
    assert f'(runtime {runtime})' in r.stdout.splitlines()[0]
    got = float(r.stdout.split('accuracy ')[1].split()[0])
    assert abs(got - expected) <= 0.001, (runtime, got, expected)
    assert (tmp_path/'reliability.png').stat().st_size > 10_000

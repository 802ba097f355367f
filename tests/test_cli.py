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

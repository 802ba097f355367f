"""`--precision bf16` really computes in bfloat16: oneDNN's own log of a training step (bench/onednn.py)."""
import json, subprocess, sys
from pathlib import Path
import pytest
from fer_nb.train import _cpu_flags

ROOT = Path(__file__).resolve().parents[1]

@pytest.mark.skipif('avx512_bf16' not in _cpu_flags(), reason='the CPU has no AVX-512 BF16: oneDNN falls back to other kernels')
def test_bf16_training_runs_bf16_convolution_kernels():
    r = subprocess.run([sys.executable, str(ROOT/'bench'/'onednn.py'), '--json'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(r.stdout)
    for precision, dtype, isa in (('bf16', 'bf16', 'avx512_core_bf16'), ('float32', 'f32', 'avx512_core')):
        convs = [k for k in result[precision] if k['primitive'] == 'convolution']
        passes = {k['pass_'] for k in convs}
        assert passes == {'forward_training', 'backward_data', 'backward_weights'}, (precision, convs)
        assert all(k['dtype'] == dtype and isa in k['kernel'] for k in convs), (precision, convs)
    assert not any('bf16' in k['kernel'] for k in result['float32'])

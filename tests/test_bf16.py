"""Which kernels training runs, from oneDNN's own log of two training steps (`fer_nb.train.onednn_kernels`): oneDNN's
by default, and bfloat16 ones with `--precision bf16`."""
import pytest
from fer_nb.env import cpu_flags
from fer_nb.train import onednn_kernels

pytestmark = pytest.mark.slow

@pytest.mark.skipif(not {'avx512_bf16', 'amx_bf16'} & cpu_flags(), reason='the CPU has neither AVX-512 BF16 nor AMX: oneDNN falls back to other kernels')
def test_bf16_training_runs_bf16_convolution_kernels():
    # bf16 kernels are AVX-512 BF16 ('avx512_core_bf16') or AMX ('avx512_core_amx', 'avx10_1_512_amx' on newer oneDNN)
    result = {p: onednn_kernels(p) for p in ('float32', 'bf16')}
    for precision, dtype, isas in (('bf16', 'bf16', ('avx512_core_bf16', 'amx')), ('float32', 'f32', ('avx512_core',))):
        convs = [k for k in result[precision] if k['primitive'] == 'convolution']
        assert {k['pass_'] for k in convs} == {'forward_training', 'backward_data', 'backward_weights'}, (precision, convs)
        assert all(k['dtype'] == dtype and any(isa in k['kernel'] for isa in isas) for k in convs), (precision, convs)
    assert not any('bf16' in k['kernel'] for k in result['float32'])

def test_training_runs_onednn_convolutions_by_default(monkeypatch):
    "fer_nb's TensorFlow default (`TF_ENV`) runs oneDNN's float32 convolutions in all three passes, on CPUs without AVX-512 too."
    monkeypatch.delenv('TF_ENABLE_ONEDNN_OPTS', raising=False)   # the child gets only what `fer_nb.env.import_keras` sets
    convs = [k for k in onednn_kernels('float32') if k['primitive'] == 'convolution']
    assert {k['pass_'] for k in convs} == {'forward_training', 'backward_data', 'backward_weights'}, convs
    assert all(k['dtype'] == 'f32' for k in convs), convs

"The GPU route's CPU half (`tools/gpu.py`): the packed data comes back identical, the exported weights load here."
import importlib.util, json, sys
from pathlib import Path
import numpy as np, pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location('gpu_tool', ROOT/'tools'/'gpu.py')
gpu = importlib.util.module_from_spec(spec); spec.loader.exec_module(gpu)


def test_pack_unpack_round_trip(real_data, tmp_path):
    parts = gpu.pack(real_data.path, tmp_path/'pk', rows=700, wheels=tmp_path/'none')
    assert parts and all(p.stat().st_size <= gpu.PART_BYTES for p in parts)
    back = gpu.unpack(tmp_path/'pk')
    np.testing.assert_array_equal(back.x_train, real_data.x_train[:700]); np.testing.assert_array_equal(back.y_val, real_data.y_val[:700])
    assert len(back.x_test) == 0 and str(back.path) == str(real_data.path)   # PrivateTest never travels
    parts[0].write_bytes(parts[0].read_bytes()[:-10])
    with pytest.raises(ValueError, match='do not join'): gpu.unpack(tmp_path/'pk')
    with pytest.raises(FileNotFoundError, match='no part0'): gpu.unpack(tmp_path)


def test_export_import_round_trip(real_data, tmp_path):
    import keras
    from fer_nb.data import to_float
    from fer_nb.model import build_model
    run = tmp_path/'run'; run.mkdir()
    keras.utils.set_random_seed(0)
    model = build_model('vgg', width=0.25, compile=False); model.save(run/'best.keras')
    (run/'config.json').write_text(json.dumps(dict(arch='vgg', width=0.25, data=str(real_data.path))))
    (run/'history.csv').write_text('epoch,accuracy,val_accuracy,seconds\n0,0.3,0.3,10\n')
    gpu.export(run, tmp_path/'OUT')
    back = gpu.import_run(tmp_path/'OUT', tmp_path/'back')
    x = to_float(real_data.x_val[:300])
    a = model.predict(x, verbose=0); b = keras.saving.load_model(back/'best.keras', compile=False).predict(x, verbose=0)
    assert np.abs(a - b).max() < 2e-3 and (a.argmax(1) == b.argmax(1)).mean() >= 0.99   # float16 weights, float32 again
    assert (back/'history.csv').read_text() == (run/'history.csv').read_text()

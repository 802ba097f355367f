"""Exported models give the same top class as Keras on the real PrivateTest crops (>= 99.9 % agreement). The TFLite
export and an unknown format are tested where `export_model` is defined (`nbs/02_model.ipynb`)."""
import numpy as np
import pytest
pytestmark = pytest.mark.slow   # see conftest: `make test-fast` leaves these out
from fer_nb.model import export_model
from fer_nb.infer import classify_crops
from fer_nb.model import load_model

def keras_probs(x):
    "The reference model's probabilities in Keras, the runtime every export is compared with."
    return classify_crops(x, load_model('reference', runtime='keras'))

def test_savedmodel_matches_keras(real_data, tmp_path):
    import tensorflow as tf
    path = export_model('reference', 'savedmodel', tmp_path/'saved')
    loaded = tf.saved_model.load(str(path)); serve = loaded.serve   # keep `loaded` alive: it owns the variables
    x = real_data.x_test[:1000].astype(np.float32) / 255
    probs = serve(tf.constant(x)).numpy()
    assert (probs.argmax(1) == keras_probs(real_data.x_test[:1000]).argmax(1)).mean() >= 0.999

def test_onnx_matches_keras(real_data, tmp_path):
    import onnxruntime as ort
    path = export_model('reference', 'onnx', tmp_path/'ref')
    session = ort.InferenceSession(str(path))
    probs = session.run(None, {session.get_inputs()[0].name: real_data.x_test.astype(np.float32) / 255})[0]
    assert (probs.argmax(1) == keras_probs(real_data.x_test).argmax(1)).mean() >= 0.999

"""Exported models give the same top class as Keras on the real PrivateTest crops (>= 99.9 % agreement)."""
import numpy as np
import pytest
from fer_nb.infer import export_model, classify_crops
from fer_nb.model import load_model

def keras_probs(x):
    "The reference model's probabilities in Keras, the runtime every export is compared with."
    return classify_crops(x, load_model('reference', runtime='keras'))

def test_tflite_matches_keras(real_data, tmp_path):
    import tensorflow as tf
    path = export_model('reference', 'tflite', tmp_path/'ref')
    x = real_data.x_test.astype(np.float32) / 255
    interp = tf.lite.Interpreter(model_path=str(path))
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    interp.resize_tensor_input(inp['index'], [len(x), 48, 48, 1]); interp.allocate_tensors()
    interp.set_tensor(inp['index'], x); interp.invoke()
    lite = interp.get_tensor(out['index'])
    assert (lite.argmax(1) == keras_probs(real_data.x_test).argmax(1)).mean() >= 0.999

def test_savedmodel_matches_keras(real_data, tmp_path):
    import tensorflow as tf
    path = export_model('reference', 'savedmodel', tmp_path/'saved')
    loaded = tf.saved_model.load(str(path)); serve = loaded.serve   # keep `loaded` alive: it owns the variables
    x = real_data.x_test[:1000].astype(np.float32) / 255
    probs = serve(tf.constant(x)).numpy()
    assert (probs.argmax(1) == keras_probs(real_data.x_test[:1000]).argmax(1)).mean() >= 0.999

def test_unknown_format():
    with pytest.raises(ValueError, match='unknown export format'): export_model('reference', 'pickle')

def test_onnx_matches_keras(real_data, tmp_path):
    import onnxruntime as ort
    path = export_model('reference', 'onnx', tmp_path/'ref')
    session = ort.InferenceSession(str(path))
    probs = session.run(None, {session.get_inputs()[0].name: real_data.x_test.astype(np.float32) / 255})[0]
    assert (probs.argmax(1) == keras_probs(real_data.x_test).argmax(1)).mean() >= 0.999

"""Model files: the shipped model reproduces its card; bad files are refused with one clear line; safe mode holds."""
import json, zipfile
import numpy as np
import pytest
from fer_nb.model import load_model, shipped_models, ModelFileError, reference_cnn, MODELS_DIR
from fer_nb.evaluate import evaluate

def test_shipped_models_reproduce_their_cards(real_data):
    cards = shipped_models()
    assert 'reference' in cards, f"no reference model shipped in {MODELS_DIR}"
    for name, card in cards.items():
        ev = evaluate(name, real_data)
        assert abs(ev['accuracy'] - card['test_accuracy']) <= 0.001, (name, ev['accuracy'], card['test_accuracy'])
        assert card['params'] == load_model(name).count_params()

def test_default_model_is_best_on_publictest():
    cards = shipped_models()
    best = max(cards, key=lambda n: cards[n]['val_accuracy'])
    assert list(cards)[0] == best

def test_missing_model(tmp_path):
    with pytest.raises(FileNotFoundError, match='no such model file'): load_model(tmp_path/'none.keras')

def test_truncated_model(tmp_path):
    data = (MODELS_DIR/'reference.keras').read_bytes()
    (tmp_path/'cut.keras').write_bytes(data[:len(data) // 3])
    with pytest.raises(ModelFileError, match=r'cut.keras: (not a valid .keras file|damaged)'): load_model(tmp_path/'cut.keras')

def test_not_a_model(tmp_path):
    (tmp_path/'notes.keras').write_text('hello')
    with pytest.raises(ModelFileError, match='not a valid .keras file'): load_model(tmp_path/'notes.keras')
    with zipfile.ZipFile(tmp_path/'zip.keras', 'w') as z: z.writestr('readme.txt', 'hi')
    with pytest.raises(ModelFileError, match='no config.json inside'): load_model(tmp_path/'zip.keras')
    (tmp_path/'weights.h5').write_bytes(b'\x89HDF')
    with pytest.raises(ModelFileError, match='expected a .keras model file'): load_model(tmp_path/'weights.h5')

@pytest.mark.parametrize('kwargs, expected', [(dict(n_classes=5), 'expected (None, 7)'), (dict(input_shape=(64, 64, 3)), 'expected (None, 48, 48, 1)')])
def test_wrong_shapes(tmp_path, kwargs, expected):
    reference_cnn(**kwargs).save(tmp_path/'m.keras')
    with pytest.raises(ModelFileError) as e: load_model(tmp_path/'m.keras')
    assert expected in str(e.value) and '\n' not in str(e.value)

def test_lambda_layer_is_refused(tmp_path):
    "A model carrying Python code (a Lambda layer) is not deserialised: safe mode."
    import keras
    inp = keras.Input((48, 48, 1))
    x = keras.layers.Lambda(lambda t: t * 2)(inp)
    out = keras.layers.Dense(7, activation='softmax')(keras.layers.Flatten()(x))
    keras.Model(inp, out).save(tmp_path/'lambda.keras')
    with pytest.raises(ModelFileError, match='cannot load model'): load_model(tmp_path/'lambda.keras')

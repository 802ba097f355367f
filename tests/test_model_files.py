"""Model files: the shipped model reproduces its card; bad files are refused with one clear line; safe mode holds."""
import json, os, zipfile
import numpy as np
import pytest
from fer_nb.model import load_model, shipped_models, ModelFileError, reference_cnn, MODELS_DIR

@pytest.fixture(scope='module')
def view_probs(real_data):
    """`get(name, runtime, split, views)`: a shipped model's probabilities on a whole split, averaged over its first
    `views` (1: the faces, 2: and their mirrors, 10: ten crops, as `predict_probs`' `tta`), each computed once for this module."""
    from fer_nb.data import to_float
    from fer_nb.evaluate import split_arrays
    from fer_nb.model import predict_probs
    cache = {}
    def get(name, runtime, split, views=1):
        key = (name, runtime, split, views)
        if key not in cache:
            cache[key] = predict_probs(load_model(name, runtime), to_float(split_arrays(real_data, split)[0]), tta={1: False, 2: 'flip', 10: 'crops'}[views])
        return cache[key]
    return get

# `make check-cards` sets it: every figure of every card on both splits, ten crops included (for a model newly shipped)
EVERY_FIGURE = os.environ.get('FER_NB_CARDS') == 'all'

def card_figures(card, every=EVERY_FIGURE):
    """{(split, runtime, views): the card's accuracy} to re-score. CI's share: every runtime on PrivateTest (the face, and
    with its mirror) and the served runtime on PublicTest, where choices are made; `test_cli` re-scores a ten-crop figure.
    `every`: every figure on both splits, ten crops included."""
    figures = {}
    for split, key in (('PrivateTest', 'test'), ('PublicTest', 'val')):
        figures.update({(split, 'keras', 1): card[f'{key}_accuracy'], (split, 'keras', 2): card['tta'][f'{key}_accuracy'],
                        (split, 'keras', 10): card['tta_crops'][f'{key}_accuracy'],
                        (split, 'lite', 1): card['int8'][f'{key}_accuracy_float32'], (split, 'lite-int8', 1): card['int8'][f'{key}_accuracy']})
    in_ci = lambda split, runtime, views: views < 10 and (split == 'PrivateTest' or runtime == card['runtime'])
    return {k: v for k, v in figures.items() if every or in_ci(*k)}

def test_shipped_models_reproduce_their_cards(real_data, view_probs):
    """Every shipped model, re-scored on the real data in each runtime (`card_figures`), within 0.1 pt of its card; its
    ECE and parameter count too."""
    from fer_nb.evaluate import expected_calibration_error, split_arrays
    cards = shipped_models()
    assert 'reference' in cards, f"no reference model shipped in {MODELS_DIR}"
    for name, card in cards.items():
        for (split, runtime, views), value in card_figures(card).items():
            accuracy = (view_probs(name, runtime, split, views).argmax(1) == split_arrays(real_data, split)[1]).mean()
            assert abs(accuracy - value) <= 0.001, (name, split, runtime, views, accuracy, value)
        ece = card['ece_test_calibrated'] if card.get('temperature') else card['ece_test']   # the loader applies the temperature
        assert abs(expected_calibration_error(real_data.y_test, view_probs(name, 'keras', 'PrivateTest')) - ece) <= 0.001, name
        assert card['params'] == load_model(name, 'keras').count_params()

def test_shipped_ensemble_reproduces_its_card(real_data, view_probs):
    """The shipped ensemble's card (`ensemble.json`, which the README's table reads) names the member files shipped now,
    is still the PublicTest-best set of 2 or 3 shipped models, and re-scores within 0.1 pt on both splits (with the
    mirror and ten crops too under `make check-cards`)."""
    from itertools import combinations
    from fer_nb.evaluate import split_arrays
    from fer_nb.ship import shipped_ensemble
    card, cards = shipped_ensemble(), shipped_models()
    remake = 'python -c "from fer_nb.ship import ship_ensemble; ship_ensemble()"'
    assert card, f'no ensemble card in {MODELS_DIR}: run {remake}'
    assert card['files'] == {n: cards[n]['files'] for n in card['members']}, f'a member was shipped again: run {remake}'
    served = lambda names, split, views=1: np.mean([view_probs(n, cards[n]['runtime'], split, views) for n in names], 0)
    val_accuracy = lambda names: (served(names, 'PublicTest').argmax(1) == real_data.y_val).mean()
    assert list(max((c for k in (2, 3) for c in combinations(cards, k)), key=val_accuracy)) == card['members'], f'run {remake}'
    for split, key in (('PublicTest', 'val'), ('PrivateTest', 'test')):
        labels = split_arrays(real_data, split)[1]
        figures = (1, card[f'{key}_accuracy']), (2, card['tta'][f'{key}_accuracy']), (10, card['tta_crops'][f'{key}_accuracy'])
        for views, value in figures if EVERY_FIGURE else figures[:1]:
            accuracy = (served(card['members'], split, views).argmax(1) == labels).mean()
            assert abs(accuracy - value) <= 0.001, (split, views, accuracy, value)

def test_shipped_files_match_their_cards():
    "The .keras and both .tflite files are the ones the card describes (sha256)."
    import hashlib
    for name, card in shipped_models().items():
        assert set(card['files']) == {f'{name}.keras', f'{name}.tflite', f'{name}.int8.tflite'}
        for file, digest in card['files'].items():
            assert hashlib.sha256((MODELS_DIR/file).read_bytes()).hexdigest() == digest, f'{file} differs from {name}.json'

def test_shipped_face_detector_matches_its_card():
    "YuNet's ONNX file and its LiteRT twin are the ones the detector's card describes (sha256), and the card says how the twin was made."
    import hashlib
    card = json.loads((MODELS_DIR/'yunet_s_640_640.json').read_text())
    assert set(card['files']) == {'yunet_s_640_640.onnx', 'yunet_s_640_640.tflite'} and 'export_yunet' in card['tflite']['command']
    for file, digest in card['files'].items():
        assert hashlib.sha256((MODELS_DIR/file).read_bytes()).hexdigest() == digest, f"{file} differs from yunet_s_640_640.json: run {card['tflite']['command']}"

@pytest.mark.slow
def test_wheel_stays_under_50_mb(tmp_path):
    "The wheel, built from the project's files as a fresh clone has them (no stale build/ folder), stays under 50 MB."
    import shutil, subprocess, sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        if (root/f).is_file(): (tmp_path/'src'/f).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(root/f, tmp_path/'src'/f)
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', str(tmp_path/'src'), '--no-deps', '--no-build-isolation', '-q',
                    '-w', str(tmp_path/'dist')], check=True, capture_output=True)
    wheel, = (tmp_path/'dist').glob('fer_nb-*.whl')
    assert {f'fer_nb/models/{f.name}' for f in MODELS_DIR.iterdir() if f.is_file()} <= set(zipfile.ZipFile(wheel).namelist())
    assert wheel.stat().st_size < 50e6, f"{wheel.name}: {wheel.stat().st_size / 1e6:.1f} MB"

def test_fast_runtimes_agree_with_keras(view_probs):
    """The float LiteRT twin gives Keras' top class on >= 99.9 % of PrivateTest when float32, >= 99.7 % when float16
    (batch normalisation is folded before rounding); the int8 twin on >= 99 %, for every model."""
    for name, card in shipped_models().items():
        p_keras, p_lite, p_int8 = (view_probs(name, r, 'PrivateTest') for r in ('keras', 'lite', 'lite-int8'))
        half = card['twin'] == 'float16'
        assert (p_lite.argmax(1) == p_keras.argmax(1)).mean() >= (0.997 if half else 0.999), name
        assert np.abs(p_lite - p_keras).max() < (1e-2 if half else 1e-3), name
        assert (p_int8.argmax(1) == p_lite.argmax(1)).mean() >= 0.99, name
        assert load_model(name).runtime == card['runtime'] == ('lite-int8' if card['int8']['default'] else 'lite')

def test_temperature_from_the_card(real_data, view_probs):
    "A card's temperature is applied by the loader: the calibrated ECE of the card, in the LiteRT twin too."
    from fer_nb.evaluate import expected_calibration_error
    for name, card in shipped_models().items():
        if not card.get('temperature'): assert card['ece_val'] <= 0.03; continue
        assert load_model(name, 'lite').temperature == card['temperature']
        probs = view_probs(name, 'lite', 'PrivateTest')
        assert abs(expected_calibration_error(real_data.y_test, probs) - card['ece_test_calibrated']) <= 0.001

def test_ensemble_of_shipped_models(real_data):
    "An ensemble averages its members' probabilities, from the API and by name."
    from fer_nb.infer import classify_crops
    names = list(shipped_models())
    spec = ','.join(names + names[:1]) if len(names) == 1 else ','.join(names)
    ens = load_model(spec)
    members = [classify_crops(real_data.x_test[:300], load_model(n)) for n in spec.split(',')]
    np.testing.assert_allclose(classify_crops(real_data.x_test[:300], ens), np.mean(members, axis=0), atol=1e-5)

def test_default_model_is_best_on_publictest(real_data, view_probs):
    "The model served when none is named is, scored again now in its served runtime, the most accurate shipped one on PublicTest."
    from fer_nb.model import model_path
    measured = {n: (view_probs(n, c['runtime'], 'PublicTest').argmax(1) == real_data.y_val).mean() for n, c in shipped_models().items()}
    assert model_path().stem == max(measured, key=measured.get), measured

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

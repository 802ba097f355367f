"""Model files: the shipped model reproduces its card; bad files are refused with one clear line; safe mode holds."""
import json, zipfile
import numpy as np
import pytest
from fer_nb.model import load_model, shipped_models, ModelFileError, reference_cnn, MODELS_DIR
from fer_nb.evaluate import evaluate

def test_shipped_models_reproduce_their_cards(real_data):
    """Every shipped model, re-evaluated on the real PrivateTest and PublicTest in each runtime and TTA, within 0.1 pt of
    its card; ten crops (ten passes) on PrivateTest, the figure reported, to keep CI short."""
    cards = shipped_models()
    assert 'reference' in cards, f"no reference model shipped in {MODELS_DIR}"
    for name, card in cards.items():
        for split, key in (('PrivateTest', 'test'), ('PublicTest', 'val')):
            expected = {('keras', False): card[f'{key}_accuracy'], ('keras', 'flip'): card['tta'][f'{key}_accuracy'],
                        ('lite', False): card['int8'][f'{key}_accuracy_float32'], ('lite-int8', False): card['int8'][f'{key}_accuracy']}
            if split == 'PrivateTest': expected['keras', 'crops'] = card['tta_crops']['test_accuracy']
            for (runtime, tta), value in expected.items():
                ev = evaluate(name, real_data, split=split, tta=tta, runtime=runtime)
                assert abs(ev['accuracy'] - value) <= 0.001, (name, split, runtime, tta, ev['accuracy'], value)
                if (split, runtime, tta) == ('PrivateTest', 'keras', False):
                    ece = card['ece_test_calibrated'] if card.get('temperature') else card['ece_test']   # the loader applies the temperature
                    assert abs(ev['ece'] - ece) <= 0.001, (name, ev['ece'], ece)
        assert card['params'] == load_model(name, 'keras').count_params()

def test_shipped_files_match_their_cards():
    "The .keras and both .tflite files are the ones the card describes (sha256)."
    import hashlib
    for name, card in shipped_models().items():
        assert set(card['files']) == {f'{name}.keras', f'{name}.tflite', f'{name}.int8.tflite'}
        for file, digest in card['files'].items():
            assert hashlib.sha256((MODELS_DIR/file).read_bytes()).hexdigest() == digest, f'{file} differs from {name}.json'

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

def test_fast_runtimes_agree_with_keras(real_data):
    """The float LiteRT twin gives Keras' top class on >= 99.9 % of PrivateTest when float32, >= 99.7 % when float16
    (batch normalisation is folded before rounding); the int8 twin on >= 99 %, for every model."""
    from fer_nb.infer import classify_crops
    for name, card in shipped_models().items():
        p_keras = classify_crops(real_data.x_test, load_model(name, 'keras'))
        p_lite, p_int8 = (classify_crops(real_data.x_test, load_model(name, r)) for r in ('lite', 'lite-int8'))
        half = card['twin'] == 'float16'
        assert (p_lite.argmax(1) == p_keras.argmax(1)).mean() >= (0.997 if half else 0.999), name
        assert np.abs(p_lite - p_keras).max() < (1e-2 if half else 1e-3), name
        assert (p_int8.argmax(1) == p_lite.argmax(1)).mean() >= 0.99, name
        assert load_model(name).runtime == card['runtime'] == ('lite-int8' if card['int8']['default'] else 'lite')

def test_temperature_from_the_card(real_data):
    "A card's temperature is applied by the loader: same top classes, the calibrated ECE of the card."
    from fer_nb.evaluate import expected_calibration_error
    from fer_nb.model import predict_probs
    for name, card in shipped_models().items():
        if not card.get('temperature'): assert card['ece_val'] <= 0.03; continue
        lite = load_model(name, 'lite'); assert lite.temperature == card['temperature']
        probs = predict_probs(lite, real_data.x_test)
        assert abs(expected_calibration_error(real_data.y_test, probs) - card['ece_test_calibrated']) <= 0.001

def test_ensemble_of_shipped_models(real_data):
    "An ensemble averages its members' probabilities, from the API and by name."
    from fer_nb.infer import classify_crops
    names = list(shipped_models())
    spec = ','.join(names + names[:1]) if len(names) == 1 else ','.join(names)
    ens = load_model(spec)
    members = [classify_crops(real_data.x_test[:300], load_model(n)) for n in spec.split(',')]
    np.testing.assert_allclose(classify_crops(real_data.x_test[:300], ens), np.mean(members, axis=0), atol=1e-5)

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

"""Inference on real photographs and crops, through the Python API and the `fer-nb` command."""
import json
from pathlib import Path
import numpy as np
import pytest
from PIL import Image
from fer_nb.faces import preprocess, ImageError
from fer_nb.infer import predict, classify_crops, annotate
from conftest import fer_nb_cli, ROOT

PHOTOS = ROOT.parent/'shared'/'data'/'photos'

@pytest.fixture(scope='module')
def astronaut_png(tmp_path_factory):
    from skimage import data
    path = tmp_path_factory.mktemp('photos')/'astronaut.png'
    Image.fromarray(data.astronaut()).save(path)
    return path

def test_cli_astronaut_one_face_and_blank_none(astronaut_png, tmp_path):
    blank = tmp_path/'blank.png'; Image.fromarray(np.full((240, 320), 200, np.uint8)).save(blank)
    r = fer_nb_cli('predict', astronaut_png, blank, '--json', '--annotate', tmp_path/'ann')
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    faces = [row for row in rows if row['file'] == str(astronaut_png)]
    assert len(faces) == 1 and faces[0]['face'] == 0 and faces[0]['emotion'] in faces[0]['probs']
    assert [row['face'] for row in rows if row['file'] == str(blank)] == [None]
    assert (tmp_path/'ann'/'astronaut_annotated.png').exists()
    r = fer_nb_cli('predict', blank)
    assert 'no face found' in r.stdout

@pytest.mark.skipif(not PHOTOS.exists(), reason='no ../shared/data/photos')
def test_shared_photos():
    assert len(predict(PHOTOS/'justin.jpg')) == 1
    assert predict(PHOTOS/'no-faces.jpg') == []

def test_cli_folder_of_crops_matches_classify_crops(real_data, tmp_path):
    crops = real_data.x_test[:240, :, :, 0]
    for i, c in enumerate(crops): Image.fromarray(c).save(tmp_path/f'{i:04d}.png')
    (tmp_path/'sub').mkdir(); Image.fromarray(crops[0]).save(tmp_path/'sub'/'again.png')
    r = fer_nb_cli('predict', tmp_path, '--csv')
    assert r.returncode == 0, r.stderr
    import csv, io
    rows = {Path(row['file']).name: row for row in csv.DictReader(io.StringIO(r.stdout))}
    assert len(rows) == 241
    expected = classify_crops(crops)
    from fer_nb.data import CLASSES
    got = np.array([[float(rows[f'{i:04d}.png'][c]) for c in CLASSES] for i in range(len(crops))])
    assert (got.argmax(1) == expected.argmax(1)).all()
    assert np.abs(got - expected).max() < 1e-3

def test_annotate_draws(astronaut_png):
    results = predict(astronaut_png)
    img = annotate(astronaut_png, results)
    assert img.size == Image.open(astronaut_png).size
    assert np.abs(np.asarray(img, np.int16) - np.asarray(Image.open(astronaut_png).convert('RGB'), np.int16)).sum() > 0

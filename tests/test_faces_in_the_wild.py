"""Faces in real photos: recall and false alarms on labelled group photos, own boxes. (FER2013 faces pasted into
face-free photos are checked where the figures are shown, in `08_infer`'s photo-fidelity cell.)"""
import csv, json
from pathlib import Path
import numpy as np
import pytest
from fer_nb.faces import detect_faces, preprocess, box_iou
from fer_nb.infer import predict
from conftest import ROOT, fer_nb_cli

LABELLED = ROOT.parent/'shared'/'data'/'photos'/'labelled'

@pytest.fixture(scope='module')
def labelled():
    if not (LABELLED/'faces.json').exists(): pytest.skip('no labelled photos in ../shared')
    return json.loads((LABELLED/'faces.json').read_text())

def test_recall_and_false_alarms_on_labelled_group_photos(labelled):
    "At least 95 % of the labelled faces of 20 px and up are found, with at most 1 false alarm per 10 photos."
    found = total = alarms = 0
    for entry in labelled:
        faces = detect_faces(preprocess(LABELLED/entry['file']))
        truth = [b for b in entry['boxes'] if min(b[2:]) >= 20]
        hit = [any(box_iou(f['box'], b) > 0.3 for f in faces) for b in truth]
        found += sum(hit); total += len(hit)
        alarms += sum(not any(box_iou(f['box'], b) > 0.3 for b in entry['boxes']) for f in faces)
    print(f"labelled photos: {found}/{total} faces found, {alarms} false alarms in {len(labelled)} photos")
    assert total >= 18 and found / total >= 0.95 and alarms / len(labelled) <= 0.1

def test_litert_twin_finds_what_opencv_finds(labelled):
    """YuNet's LiteRT twin, which runs by default, gives the faces OpenCV gives from the ONNX file on the real photos, at
    full size and shrunk, and with candidates under the default threshold: the same count, boxes and landmarks within
    0.01 px, scores within 1e-4."""
    import cv2
    from fer_nb.faces import yunet_rows
    photos = [LABELLED/e['file'] for e in labelled] + [ROOT.parent/'shared'/'data'/'photos'/f for f in ('justin.jpg', 'no-faces.jpg')]
    compared = 0
    for path in photos:
        grey = preprocess(path)
        for scale in (1.0, 0.75, 0.5):
            small = grey if scale == 1 else cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            for score in (0.6, 0.3):
                lite, ocv = yunet_rows(small, score), yunet_rows(small, score, runtime='opencv')
                assert lite.shape == ocv.shape, (path.name, scale, score, len(lite), len(ocv))
                assert np.abs(lite[:, :14] - ocv[:, :14]).max(initial=0) < 0.01 and np.abs(lite[:, 14] - ocv[:, 14]).max(initial=0) < 1e-4, (path.name, scale)
                compared += len(lite)
    assert compared >= 2 * 3 * 18   # most of the labelled faces, at three sizes, at both thresholds

def test_haar_finds_fewer(labelled):
    "The reason YuNet is the default: on the same photos the Haar cascade finds under half the faces."
    found = sum(any(box_iou(f['box'], b) > 0.3 for f in detect_faces(preprocess(LABELLED/e['file']), 'haar')) for e in labelled for b in e['boxes'])
    total = sum(len(e['boxes']) for e in labelled)
    print(f"labelled photos, Haar: {found}/{total} faces found")
    assert found / total < 0.5

def test_no_face_is_not_an_error(tmp_path):
    assert predict(np.full((300, 400), 127, np.uint8)) == []
    assert predict(ROOT.parent/'shared'/'data'/'photos'/'no-faces.jpg') == []

def test_cli_own_boxes_and_detector(tmp_path):
    from PIL import Image
    from skimage.data import astronaut
    Image.fromarray(astronaut()).save(tmp_path/'a.png')
    (tmp_path/'boxes.csv').write_text(f"file,x,y,w,h\n{tmp_path/'a.png'},170,40,100,120\n{tmp_path/'a.png'},10,300,80,80\n")
    r = fer_nb_cli('predict', tmp_path/'a.png', '--boxes', tmp_path/'boxes.csv', '--json')
    assert r.returncode == 0, r.stderr
    assert [tuple(row['box']) for row in json.loads(r.stdout)] == [(170, 40, 100, 120), (10, 300, 80, 80)]
    r = fer_nb_cli('predict', tmp_path/'a.png', '--detector', 'haar', '--json')
    assert r.returncode == 0 and len(json.loads(r.stdout)) == 1
    (tmp_path/'bad.csv').write_text("file,x,y,w\na.png,1,2,3\n")
    r = fer_nb_cli('predict', tmp_path/'a.png', '--boxes', tmp_path/'bad.csv')
    assert r.returncode == 1 and 'bad.csv' in r.stderr and "column" in r.stderr and 'Traceback' not in r.stderr

def test_min_face_searches_small_faces_at_full_size(tmp_path):
    """A 21 px face in a 640x480 photo is under the default `MIN_FACE`, so the photo is searched at 3/4 size, where the face is
    16 px, and it is missed; `--min-face 16` searches at full size and finds it. A 25 px face is found by default."""
    import cv2
    from skimage.data import astronaut
    from fer_nb.faces import MIN_FACE
    grey = preprocess(astronaut())
    for side, name in ((120, 'small.png'), (140, 'larger.png')):   # the astronaut's 91 px face shrunk to 21 and 25 px
        canvas = np.full((480, 640), 128, np.uint8); canvas[200:200 + side, 300:300 + side] = cv2.resize(grey, (side, side), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(tmp_path/name), canvas)
    assert MIN_FACE > 21
    rows = json.loads(fer_nb_cli('predict', tmp_path/'small.png', tmp_path/'larger.png', '--json').stdout)
    assert sorted((Path(r['file']).name, r['face'] is not None) for r in rows) == [('larger.png', True), ('small.png', False)], rows
    rows = json.loads(fer_nb_cli('predict', tmp_path/'small.png', '--json', '--min-face', '16').stdout)
    assert len(rows) == 1 and rows[0]['face'] == 0, rows
    r = fer_nb_cli('predict', tmp_path/'small.png', '--min-face', '0')
    assert r.returncode == 2 and '--min-face' in r.stderr

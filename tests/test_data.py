"""Data loading on the real file: shapes, exact counts, cache behaviour, and the CLI table."""
import os, re, time
from pathlib import Path
import numpy as np
import pytest
from fer_nb.data import load_fer2013, class_counts, counts_markdown, CLASSES, USAGES, make_dataset, cache_path
from conftest import ROOT, fer_nb_cli

def shared_readme_table():
    "The class x split table as published in ../shared/README.md (the data's provenance note)."
    readme = ROOT.parent/'shared'/'README.md'
    if not readme.exists(): pytest.skip('no ../shared/README.md')
    return [l for l in readme.read_text().splitlines() if re.match(r'\| (Usage|Training|PublicTest|PrivateTest) \|', l)]

def test_shapes_and_types(real_data):
    assert real_data.x_train.shape == (28709, 48, 48, 1) and real_data.x_train.dtype == np.uint8
    assert real_data.x_val.shape == (3589, 48, 48, 1) and real_data.x_test.shape == (3589, 48, 48, 1)
    assert real_data.y_train.shape == (28709,) and real_data.y_train.dtype.kind == 'i'
    assert real_data.classes == ('Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise', 'Neutral')

def test_counts_match_published_table(real_data):
    ours = counts_markdown(class_counts(real_data)).splitlines()
    published = shared_readme_table()
    assert [ours[0]] + ours[2:] == published

def test_first_row_pixels_match_csv_text(real_path, real_data):
    "The first data row, parsed the slow obvious way, equals the fast parser's first image."
    import gzip
    with gzip.open(real_path, 'rt') as f:
        f.readline(); label, pixels, usage = f.readline().strip().split(',')
    assert real_data.labels[0] == int(label) and USAGES[real_data.usage[0]] == usage
    assert (real_data.pixels[0].ravel() == np.array(pixels.split(), dtype=np.uint8)).all()

def test_cache_is_used_and_invalidated(tmp_path, monkeypatch):
    from conftest import write_csv, FACE
    monkeypatch.setenv('FER_NB_CACHE', str(tmp_path/'cache'))
    csv = write_csv(tmp_path/'small.csv', [f'3,{FACE},Training', f'1,{FACE},PublicTest'])
    first = load_fer2013(csv)
    cache = cache_path(csv); assert cache.exists()
    second = load_fer2013(csv)
    assert (second.pixels == first.pixels).all() and (second.labels == first.labels).all()
    # editing the CSV changes its size/mtime: the stale cache is not used
    time.sleep(0.01)
    write_csv(csv, [f'5,{FACE},Training', f'1,{FACE},PublicTest', f'0,{FACE},PrivateTest'])
    third = load_fer2013(csv)
    assert len(third) == 3 and third.labels[0] == 5

def test_cached_load_is_fast(real_path):
    load_fer2013(real_path)  # make sure the cache exists
    t = time.perf_counter(); load_fer2013(real_path); elapsed = time.perf_counter() - t
    assert elapsed < 0.5, f"cached load took {elapsed:.2f} s"  # goal 0.1 s; CI machines are shared, so allow slack

def test_pipeline_batches(real_data):
    ds = make_dataset(real_data.x_val[:130], real_data.y_val[:130], batch_size=64, augment=True)
    shapes = [tuple(x.shape) for x, _ in ds]
    assert shapes == [(64, 48, 48, 1), (64, 48, 48, 1), (2, 48, 48, 1)]

def test_cli_data_prints_published_table(real_path):
    r = fer_nb_cli('data', '--data', real_path)
    assert r.returncode == 0, r.stderr
    for line in shared_readme_table(): assert line in r.stdout

def test_numpy_kernel_parses_the_real_file_as_numba_does(real_path, real_data):
    "The base install's NumPy parser gives the arrays numba's kernel gave, on all 35,887 real rows."
    from fer_nb.data import parse_fer2013_bytes, read_csv_bytes
    pixels, labels, usage = parse_fer2013_bytes(read_csv_bytes(real_path), real_path, kernel='numpy')
    assert np.array_equal(pixels, real_data.pixels) and np.array_equal(labels, real_data.labels) and np.array_equal(usage, real_data.usage)

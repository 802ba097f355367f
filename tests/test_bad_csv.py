"""Bad CSV input: every case gives one clear line naming the file, line or field — or is accepted when harmless."""
import gzip
from pathlib import Path
import numpy as np
import pytest
from fer_nb.data import load_fer2013, FERDataError
from conftest import write_csv, FACE, fer_nb_cli

GOOD = f'3,{FACE},Training'

def load(path, **kw): return load_fer2013(path, cache=False, **kw)

@pytest.mark.parametrize('rows, header, expected', [
    ([], 'emotion,pixels,Usage', 'header only, no data rows'),
    ([GOOD], 'emotion,pixel,Usage', 'missing column(s) pixels'),
    ([f'3,{FACE}'], 'emotion,pixels', 'missing column(s) Usage'),
    ([f'3,{FACE[:FACE.rindex(" ")]},Training'], 'emotion,pixels,Usage', "line 2: field 'pixels': 2303 values, expected 2304"),
    ([f'3,{FACE} 1,Training'], 'emotion,pixels,Usage', "line 2: field 'pixels': 2305 values, expected 2304"),
    ([GOOD, f'3,{FACE.replace(" 7 ", " x ", 1)},Training'], 'emotion,pixels,Usage', "line 3: field 'pixels': value 'x' at position 2"),
    ([f'3,{FACE.replace(" 7 ", " -7 ", 1)},Training'], 'emotion,pixels,Usage', "value '-7' at position 2 is not an integer"),
    ([f'3,{FACE.replace(" 7 ", " 256 ", 1)},Training'], 'emotion,pixels,Usage', 'value 256 at position 2 is out of range 0-255'),
    ([f'7,{FACE},Training'], 'emotion,pixels,Usage', "line 2: field 'emotion' is '7', expected an integer 0-6"),
    ([f'-1,{FACE},Training'], 'emotion,pixels,Usage', "field 'emotion' is '-1'"),
    ([f'happy,{FACE},Training'], 'emotion,pixels,Usage', "field 'emotion' is 'happy'"),
    ([f'3,{FACE},Validation'], 'emotion,pixels,Usage', "line 2: field 'Usage' is 'Validation', expected one of Training"),
    ([f'3,{FACE.replace(" 7 ", " 7  ", 1)},Training'], 'emotion,pixels,Usage', 'empty value at position 3'),
    ([f'3,{FACE}'], 'emotion,pixels,Usage', 'line 2: 2 field(s), expected 3'),
])
def test_bad_rows_name_line_and_field(tmp_path, rows, header, expected):
    path = write_csv(tmp_path/'bad.csv', rows, header)
    with pytest.raises(FERDataError) as e: load(path)
    msg = str(e.value)
    assert expected in msg and str(path) in msg and '\n' not in msg

def test_empty_file(tmp_path):
    (tmp_path/'empty.csv').write_bytes(b'')
    with pytest.raises(FERDataError, match=r'empty.csv: empty file'): load(tmp_path/'empty.csv')

def test_truncated_gzip(tmp_path):
    blob = gzip.compress(('emotion,pixels,Usage\n' + f'{GOOD}\n' * 50).encode())
    (tmp_path/'cut.csv.gz').write_bytes(blob[:len(blob) // 2])
    with pytest.raises(FERDataError, match=r'cut.csv.gz: (truncated or corrupt gzip|not a valid gzip)'): load(tmp_path/'cut.csv.gz')

def test_binary_file_named_csv(tmp_path):
    (tmp_path/'model.csv').write_bytes(bytes(range(256)) * 100)
    with pytest.raises(FERDataError, match='binary data, not a CSV'): load(tmp_path/'model.csv')

def test_plain_file_named_gz(tmp_path):
    write_csv(tmp_path/'plain.csv.gz', [GOOD])
    with pytest.raises(FERDataError, match='named .gz but is not gzip'): load(tmp_path/'plain.csv.gz')

def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.csv: no such file'): load(tmp_path/'nope.csv')

def test_allowed_variations(tmp_path):
    "Extra columns (any order), blank lines, Windows line endings, quoted pixels and gzip are all accepted."
    a = write_csv(tmp_path/'extra.csv', [f'Training,x,"{FACE}",4', '', f'PrivateTest,y,"{FACE}",0'], header='Usage,note,pixels,emotion')
    d = load(a); assert list(d.labels) == [4, 0] and list(d.usage) == [0, 2] and d.pixels[1, 0, 1, 0] == 7
    b = write_csv(tmp_path/'crlf.csv', [GOOD, GOOD], newline='\r\n')
    assert len(load(b)) == 2
    (tmp_path/'z.csv.gz').write_bytes(gzip.compress(b.read_bytes()))
    assert (load(tmp_path/'z.csv.gz').pixels == load(b).pixels).all()

def test_skip_bad_rows_reports_each(tmp_path):
    path = write_csv(tmp_path/'mixed.csv', [GOOD, f'9,{FACE},Training', GOOD, f'1,{FACE} 5,PublicTest'])
    with pytest.warns(UserWarning) as record: d = load(path, skip_bad_rows=True)
    messages = [str(w.message) for w in record]
    assert len(d) == 2
    assert any('line 3' in m and "'emotion' is '9'" in m for m in messages)
    assert any('line 5' in m and '2305 values' in m for m in messages)
    assert any('skipped 2 bad row(s) of 4' in m for m in messages)

def test_cli_reports_bad_csv_in_one_line(tmp_path):
    path = write_csv(tmp_path/'bad.csv', [f'8,{FACE},Training'])
    r = fer_nb_cli('data', '--data', path, timeout=120)
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    assert r.stderr.strip().count('\n') == 0 and "line 2: field 'emotion' is '8'" in r.stderr

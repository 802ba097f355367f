"""Property-based tests: the parser, with each of its pixel kernels (numba, NumPy, plain Python), agrees with a slow, obviously-correct reference on random inputs."""
import pytest
import numpy as np
from hypothesis import given, settings, strategies as st, HealthCheck
from fer_nb.data import parse_fer2013_bytes, FERDataError, USAGES

def reference_parse(text: str):
    "Slow, obvious parser: returns (pixels, labels, usage) or raises ValueError."
    lines = text.split('\n')
    assert lines[0] == 'emotion,pixels,Usage'
    pix, lab, use = [], [], []
    for line in lines[1:]:
        if not line.strip(): continue
        emo, pixels, usage = line.split(',')
        if emo not in [str(i) for i in range(7)] or usage not in USAGES: raise ValueError(line[:30])
        vals = pixels.split(' ')
        if len(vals) != 2304 or not all(v.isdigit() and len(v) <= 3 and int(v) <= 255 for v in vals): raise ValueError('pixels')
        pix.append([int(v) for v in vals]); lab.append(int(emo)); use.append(USAGES.index(usage))
    if not pix: raise ValueError('no rows')
    return np.array(pix, np.uint8).reshape(-1, 48, 48, 1), np.array(lab), np.array(use)

@st.composite
def fer_rows(draw):
    seed, high = draw(st.integers(0, 2**32 - 1)), draw(st.sampled_from([1, 10, 100, 256]))
    tokens = [str(v) for v in np.random.default_rng(seed).integers(0, high, 2304)]
    label = draw(st.sampled_from([str(i) for i in range(7)] + ['7', '-1', 'x']))
    usage = draw(st.sampled_from(list(USAGES) + ['Test']))
    corruption = draw(st.sampled_from(['none'] * 6 + ['drop', 'extra', 'big', 'alpha', 'double_space', 'zeros']))
    i = draw(st.integers(0, 2302))
    if corruption == 'drop': tokens.pop(i)
    elif corruption == 'extra': tokens.insert(i, '1')
    elif corruption == 'big': tokens[i] = str(draw(st.one_of(st.integers(256, 999), st.integers(1000, 99999))))   # 3 digits, or too many
    elif corruption == 'alpha': tokens[i] = 'a' + tokens[i]
    elif corruption == 'double_space': tokens[i] = tokens[i] + ' '
    elif corruption == 'zeros': tokens[i] = '0' * draw(st.integers(1, 3)) + tokens[i]
    return f"{label},{' '.join(tokens)},{usage}"

SLOW_DATA_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]   # rows of 2,304 pixels are big and slow to draw

def check_against_reference(rows, kernel='auto'):
    """The parser accepts what the reference accepts, with the same arrays, and refuses the rest with a `FERDataError`;
    `kernel` is one of `PIXEL_KERNELS` ('numpy' runs where numba is not installed, 'python' says what is wrong with a row)."""
    text = 'emotion,pixels,Usage\n' + '\n'.join(rows) + '\n'
    try: expected = reference_parse(text)
    except ValueError: expected = None
    if expected is None:
        try: parse_fer2013_bytes(text.encode(), kernel=kernel)
        except FERDataError: return
        raise AssertionError('fast parser accepted input the reference rejects')
    got = parse_fer2013_bytes(text.encode(), kernel=kernel)
    for g, e in zip(got, expected): assert (np.asarray(g) == e).all()

@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_DATA_OK)
@given(st.lists(fer_rows(), min_size=1, max_size=4))
def test_fast_parser_matches_reference(rows): check_against_reference(rows)

@settings(max_examples=30, deadline=None, suppress_health_check=SLOW_DATA_OK)
@given(st.lists(fer_rows(), min_size=1, max_size=4))
def test_plain_python_kernel_matches_reference(rows):
    check_against_reference(rows, kernel='python')

@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_DATA_OK)
@given(st.lists(fer_rows(), min_size=1, max_size=4))
def test_numpy_kernel_matches_reference(rows):
    check_against_reference(rows, kernel='numpy')

@pytest.mark.parametrize('kernel', ['python', 'numpy'])
def test_kernels_refuse_values_over_255(kernel):
    "A 3-digit value over 255 is refused, not wrapped around in uint8 arithmetic (it once came back as 300 - 256 = 44)."
    row = '0,' + ' '.join(['300'] + ['1'] * 2303) + ',Training\n'
    with pytest.raises(FERDataError, match="line 2: field 'pixels': value 300 at position 1 is out of range 0-255"):
        parse_fer2013_bytes(('emotion,pixels,Usage\n' + row).encode(), kernel=kernel)

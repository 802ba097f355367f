"""Bad and unusual images: clear one-line errors for the unreadable, correct results for the unusual."""
import io
import numpy as np
import pytest
from PIL import Image
from fer_nb.faces import preprocess, ImageError
from fer_nb.infer import predict
from conftest import fer_nb_cli

def save(img, path, **kw): img.save(path, **kw); return path

@pytest.fixture
def face_rgb():
    from skimage import data
    return Image.fromarray(data.astronaut()).resize((256, 256))

def test_missing_path(tmp_path):
    with pytest.raises(ImageError, match='nope.png: no such image file'): preprocess(tmp_path/'nope.png')

def test_zero_byte_file(tmp_path):
    (tmp_path/'zero.jpg').write_bytes(b'')
    with pytest.raises(ImageError, match=r'zero.jpg: empty file \(0 bytes\)'): preprocess(tmp_path/'zero.jpg')

def test_truncated_jpeg(tmp_path, face_rgb):
    buf = io.BytesIO(); face_rgb.save(buf, 'JPEG')
    (tmp_path/'cut.jpg').write_bytes(buf.getvalue()[:len(buf.getvalue()) // 2])
    with pytest.raises(ImageError, match='cut.jpg: damaged or truncated image'): preprocess(tmp_path/'cut.jpg')

def test_text_named_png(tmp_path):
    (tmp_path/'fake.png').write_text('this is not a picture')
    with pytest.raises(ImageError, match='fake.png: not an image Pillow can read'): preprocess(tmp_path/'fake.png')

def test_directory_as_image(tmp_path):
    with pytest.raises(ImageError, match='is a directory'): preprocess(tmp_path)

def test_one_pixel_image(tmp_path):
    with pytest.raises(ImageError, match='1x1 pixels, too small'): preprocess(save(Image.new('L', (1, 1)), tmp_path/'dot.png'))

def test_decompression_bomb(tmp_path):
    path = save(Image.new('1', (12000, 12000)), tmp_path/'bomb.png', optimize=True)
    with pytest.raises(ImageError, match='too large .* decompression bomb'): preprocess(path)

@pytest.mark.parametrize('mode', ['I;16', 'P', 'CMYK', 'RGBA', 'LA', 'L'])
def test_unusual_modes_find_the_face(tmp_path, face_rgb, mode):
    if mode == 'I;16': img = Image.fromarray((np.asarray(face_rgb.convert('L'), np.uint16) * 257))
    else: img = face_rgb.convert(mode)
    path = save(img, tmp_path/('face.tif' if mode == 'CMYK' else 'face.png'))
    grey = preprocess(path)
    assert grey.dtype == np.uint8 and grey.shape == (256, 256)
    assert len(predict(path)) == 1

def test_animated_gif_uses_first_frame(tmp_path, face_rgb):
    frames = [face_rgb.convert('P'), Image.new('P', face_rgb.size)]
    path = tmp_path/'anim.gif'; frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    assert len(predict(path)) == 1

def test_exif_orientation_is_applied(tmp_path):
    img = Image.fromarray(np.tile(np.arange(40, dtype=np.uint8), (20, 1)))   # 40 wide, 20 high
    exif = Image.Exif(); exif[0x0112] = 6                                       # rotate 90 degrees on display
    path = tmp_path/'rot.jpg'; img.save(path, exif=exif)
    assert preprocess(path).shape == (40, 20)

def test_cli_mixed_folder_reports_bad_files_and_runs_the_rest(tmp_path, face_rgb):
    save(face_rgb, tmp_path/'good.png'); (tmp_path/'bad.png').write_text('nope'); (tmp_path/'empty.jpg').write_bytes(b'')
    (tmp_path/'notes.txt').write_text('ignored: not an image suffix')
    r = fer_nb_cli('predict', tmp_path)
    assert r.returncode == 0
    assert 'good.png: face 0' in r.stdout
    errors = [l for l in r.stderr.splitlines() if l.startswith('fer-nb: skipped')]
    assert len(errors) == 2 and any('bad.png: not an image' in l for l in errors) and any('empty.jpg: empty file' in l for l in errors)
    assert 'Traceback' not in r.stderr

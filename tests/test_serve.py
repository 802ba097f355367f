"""`fer-nb serve` as a client meets it: a real server on 127.0.0.1, each kind of bad request refused with its status and
one line of JSON, and a good request served right after each. Traffic goes to 127.0.0.1 only, and the test stops the server."""
import base64, io, json, os, signal, socket, subprocess, sys, time
from pathlib import Path
import pytest
from PIL import Image

httpx = pytest.importorskip('httpx')
TOKEN = 'test-token'

def png_header(w, h):
    "A few bytes of PNG that claim w x h pixels: a header, and no pixels."
    import struct, zlib
    chunk = lambda kind, body: struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(b'\0' * 1000)) + chunk(b'IEND', b'')

@pytest.fixture(scope='module')
def photo():
    from skimage import data
    buf = io.BytesIO(); Image.fromarray(data.astronaut()).save(buf, 'JPEG', quality=90)
    return buf.getvalue()

@pytest.fixture(scope='module')
def server():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    exe = Path(sys.executable).parent/'fer-nb'
    proc = subprocess.Popen([str(exe), 'serve', '--port', str(port), '--model', 'reference', '--token', TOKEN, '--max-images', '3',
                             '--max-upload-mb', '8', '--timeout', '2'], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f'http://127.0.0.1:{port}'
    try:
        for _ in range(240):
            if proc.poll() is not None: pytest.fail(f'fer-nb serve exited: {proc.stderr.read().decode()[-2000:]}')
            try:
                if httpx.get(f'{url}/readyz', timeout=2).status_code == 200: break
            except httpx.TransportError: pass
            time.sleep(0.25)
        yield url, port
    finally:
        os.killpg(proc.pid, signal.SIGTERM); proc.wait(30)

AUTH = {'Authorization': f'Bearer {TOKEN}'}

def good(url, photo):
    "A good request after a bad one is served: one face in the astronaut photo."
    r = httpx.post(f'{url}/v1/predict', files=[('images', ('astronaut.jpg', photo, 'image/jpeg'))], headers=AUTH, timeout=30)
    assert r.status_code == 200, r.text
    faces = r.json()['images'][0]['faces']
    assert len(faces) == 1 and faces[0]['emotion'] == 'Happy', faces

def one_line_error(r, status):
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert list(body) == ['error'] and body['error'] and '\n' not in body['error'] and 'Traceback' not in body['error'], body

def test_health_ready_docs_and_models(server):
    url, _ = server
    assert httpx.get(f'{url}/healthz').json() == {'status': 'ok'}
    assert httpx.get(f'{url}/readyz').json() == {'ready': True, 'model': 'reference'}
    assert httpx.get(f'{url}/docs').status_code == 200 and '/v1/predict' in httpx.get(f'{url}/openapi.json').text
    models = httpx.get(f'{url}/v1/models', headers=AUTH).json()
    assert models['serving'] == 'reference' and 'reference' in models['models'] and 'history' not in models['models']['reference']
    assert 'access-control-allow-origin' not in httpx.get(f'{url}/healthz', headers={'Origin': 'http://evil.example'}).headers

def test_multipart_and_json_give_the_records_of_predict(server, photo):
    from fer_nb.infer import predict
    url, _ = server
    expected = predict(photo, 'reference')
    r = httpx.post(f'{url}/v1/predict?annotate=true', files=[('images', ('a.jpg', photo, 'image/jpeg')), ('images', ('b.jpg', photo, 'image/jpeg'))], headers=AUTH, timeout=30)
    assert r.status_code == 200, r.text
    images = r.json()['images']
    assert [i['file'] for i in images] == ['a.jpg', 'b.jpg'] and all(i['status'] == 'ok' for i in images)
    face = images[0]['faces'][0]
    assert tuple(face['box']) == expected[0]['box'] and face['emotion'] == expected[0]['emotion']
    assert all(abs(face['probs'][c] - p) < 1e-5 for c, p in expected[0]['probs'].items())
    assert base64.b64decode(images[0]['annotated'])[:4] == b'\x89PNG'
    j = httpx.post(f'{url}/v1/predict', json={'images': [base64.b64encode(photo).decode()], 'tta': 'flip'}, headers=AUTH, timeout=30)
    assert j.status_code == 200 and j.json()['images'][0]['faces'][0]['emotion'] == 'Happy', j.text

@pytest.mark.parametrize('name, make, status', [
    ('garbage bytes', lambda p: dict(files=[('images', ('x.jpg', os.urandom(3000), 'image/jpeg'))]), 415),
    ('zero-byte file', lambda p: dict(files=[('images', ('empty.jpg', b'', 'image/jpeg'))]), 400),
    ('truncated JPEG', lambda p: dict(files=[('images', ('cut.jpg', p[:len(p) // 3], 'image/jpeg'))]), 422),
    ('20,000 x 20,000 PNG of a few kB', lambda p: dict(files=[('images', ('bomb.png', png_header(20000, 20000), 'image/png'))]), 413),
    ('wrong content type', lambda p: dict(content=p, headers={'Content-Type': 'image/jpeg'}), 415),
    ('missing field', lambda p: dict(files=[('photo', ('a.jpg', p, 'image/jpeg'))]), 422),
    ('unknown model', lambda p: dict(files=[('images', ('a.jpg', p, 'image/jpeg'))], params={'model': 'vgg_w9'}), 422),
    ('unknown option', lambda p: dict(files=[('images', ('a.jpg', p, 'image/jpeg'))], params={'detector': 'mtcnn'}), 422),
    ('too many files', lambda p: dict(files=[('images', (f'{k}.jpg', p, 'image/jpeg')) for k in range(4)]), 413),
    ('bad JSON', lambda p: dict(content=b'{"images": [', headers={'Content-Type': 'application/json'}), 400),
])
def test_bad_request_then_good(server, photo, name, make, status):
    url, _ = server
    kwargs = make(photo); headers = {**AUTH, **kwargs.pop('headers', {})}
    one_line_error(httpx.post(f'{url}/v1/predict', headers=headers, timeout=30, **kwargs), status)
    good(url, photo)

def test_tokens(server, photo):
    url, _ = server
    files = [('images', ('a.jpg', photo, 'image/jpeg'))]
    one_line_error(httpx.post(f'{url}/v1/predict', files=files), 401)
    one_line_error(httpx.post(f'{url}/v1/predict', files=files, headers={'Authorization': 'Bearer wrong'}), 401)
    one_line_error(httpx.get(f'{url}/v1/models'), 401)
    good(url, photo)

def raw(port, head: bytes, body: bytes = b'', wait=10.0) -> tuple[int, dict]:
    "Send a request by hand (a body cut short, or one too large to send whole); the status and JSON of the answer."
    with socket.create_connection(('127.0.0.1', port), timeout=wait) as s:
        s.sendall(head + body)
        data = b''
        try:
            while b'\r\n\r\n' not in data or len(data.split(b'\r\n\r\n', 1)[1]) < int(dict(
                    l.split(b': ', 1) for l in data.split(b'\r\n\r\n')[0].split(b'\r\n')[1:] if b': ' in l).get(b'content-length', b'0')):
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
        except socket.timeout: pass
    status = int(data.split(b' ', 2)[1])
    return status, json.loads(data.split(b'\r\n\r\n', 1)[1] or b'{}')

def test_100_mb_body_refused_before_it_is_read(server, photo):
    url, port = server
    head = (f'POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n'
            f'Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {100 * 2**20}\r\n\r\n').encode()
    t = time.perf_counter(); status, body = raw(port, head, b'--x\r\n' + b'\0' * 65536)
    assert status == 413 and 'over the limit' in body['error'] and time.perf_counter() - t < 5, (status, body)
    good(url, photo)

def test_slow_client_that_stops_mid_body(server, photo):
    url, port = server
    head = (f'POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n'
            f'Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 50000\r\n\r\n').encode()
    status, body = raw(port, head, b'--x\r\nContent-Disposition: form-data; name="images"; filename="a.jpg"\r\n\r\n' + photo[:1000])
    assert status == 408 and 'not received within 2 s' in body['error'], (status, body)
    good(url, photo)

# The page, in a real browser: Debian's headless Chromium, as the docs check uses it, with a fake camera fed by a clip
# made from a labelled group photo. Screenshots go to out/serve-screens/ (the README's is nbs/images/serve_page.png).
import shutil
CHROMIUM, DRIVER = shutil.which('chromium') or shutil.which('chromium-browser'), shutil.which('chromedriver')
GROUP = Path(__file__).resolve().parents[2]/'shared'/'data'/'photos'/'labelled'/'2008_001322.jpg'   # PASCAL VOC via dlib
SHOTS = Path(__file__).resolve().parents[1]/'out'/'serve-screens'

def y4m_clip(photo: Path, path: Path, frames=10, size=(640, 480)) -> Path:
    "A still photo as an uncompressed YUV4MPEG2 clip, what Chromium's fake camera plays (in a loop)."
    import cv2
    img = cv2.resize(cv2.imread(str(photo)), size, interpolation=cv2.INTER_AREA)
    yuv = cv2.cvtColor(img, cv2.COLOR_BGR2YUV_I420).tobytes()
    with open(path, 'wb') as f:
        f.write(f'YUV4MPEG2 W{size[0]} H{size[1]} F5:1 Ip A1:1 C420jpeg\n'.encode())
        for _ in range(frames): f.write(b'FRAME\n' + yuv)
    return path

@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    if not (CHROMIUM and DRIVER):
        if os.environ.get('CI'): pytest.fail('Chromium and chromedriver not installed (CI installs them)')
        pytest.skip('Chromium and chromedriver not installed (apt install chromium chromium-driver)')
    if not GROUP.exists(): pytest.skip(f'no {GROUP}')
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    clip = y4m_clip(GROUP, tmp_path_factory.mktemp('camera')/'group.y4m')
    opts = webdriver.ChromeOptions(); opts.binary_location = CHROMIUM
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1280,1000',
                '--disable-background-networking', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
                f'--use-file-for-fake-video-capture={clip}'):
        opts.add_argument(arg)
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


@pytest.mark.slow
def test_page_photo_shows_the_face(server, browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait
    from skimage import data
    url, _ = server
    path = tmp_path/'astronaut.png'; Image.fromarray(data.astronaut()).save(path)
    browser.get(url + '/'); browser.find_element('id', 'token').send_keys(TOKEN)
    browser.find_element('id', 'file').send_keys(str(path))
    WebDriverWait(browser, 30).until(lambda b: 'found' in b.find_element('id', 'message').text)
    assert browser.find_element('id', 'message').text == '1 face found.'
    assert browser.find_element('id', 'canvas').get_attribute('data-faces') == '1'
    assert browser.find_element('css selector', '#faces h3').text == 'Face 1: Happy'
    assert not [e for e in browser.get_log('browser') if e['level'] == 'SEVERE'], browser.get_log('browser')
    SHOTS.mkdir(parents=True, exist_ok=True); browser.save_screenshot(str(SHOTS/'photo.png'))
    browser.get(url + '/')                                                   # no token: the server's refusal is shown
    browser.find_element('id', 'file').send_keys(str(path))
    WebDriverWait(browser, 30).until(lambda b: 'refused' in b.find_element('id', 'message').text)
    assert 'bearer token' in browser.find_element('id', 'message').text

@pytest.mark.slow
def test_page_camera_draws_several_faces(server, browser):
    from selenium.webdriver.support.ui import WebDriverWait
    url, _ = server
    browser.get(url + '/'); browser.find_element('id', 'token').send_keys(TOKEN)
    browser.find_element('id', 'camera').click()
    WebDriverWait(browser, 60).until(lambda b: int(b.find_element('id', 'canvas').get_attribute('data-faces') or 0) >= 2)
    assert browser.find_element('id', 'message').text.startswith('Camera:')
    SHOTS.mkdir(parents=True, exist_ok=True); browser.save_screenshot(str(SHOTS/'camera.png'))
    browser.find_element('id', 'camera').click()

"""The offline docs site, checked as a person would: served on localhost and opened in headless Chromium.

`make docs-check` (part of `make test`, from the notebooks the notebook tests ran) or `make docs` builds `_docs/`
first. Each page must load without JavaScript errors or broken local resources, show its title, its API docs and its
plots; a full-page screenshot of each is saved in `out/docs-screens/`.
"""
import functools, http.server, json, os, shutil, threading
from pathlib import Path
import pytest
pytestmark = pytest.mark.slow   # see conftest: `make test-fast` leaves these out

ROOT = Path(__file__).resolve().parent.parent
DOCS, SHOTS = ROOT/'_docs', ROOT/'out'/'docs-screens'
CHROMIUM, DRIVER = shutil.which('chromium') or shutil.which('chromium-browser'), shutil.which('chromedriver')

# page -> (functions whose API docs it must show, least number of plots/pictures it must show)
PAGES = {'index.html': ([], 2), 'env.html': (['import_keras', 'describe_machine', 'savefig', 'Progress'], 0),
         'data.html': (['load_fer2013', 'make_dataset', 'locate_fer2013'], 3),
         'model.html': (['reference_cnn', 'build_model', 'load_model', 'export_model'], 0), 'runs.html': (['read_history', 'run_summary'], 1),
         'train.html': (['train', 'TrainConfig'], 0), 'evaluate.html': (['evaluate', 'plot_confusion', 'plot_roc_pr', 'plot_reliability'], 4),
         'ship.html': (['score_run', 'ship_model', 'results_table'], 0), 'faces.html': (['load_image', 'detect_faces', 'frame_faces'], 0),
         'infer.html': (['predict', 'classify_crops', 'annotate'], 1), 'batch.html': (['predict_files', 'iter_predictions'], 0),
         'video.html': (['analyze_video', 'plot_timeline'], 1), 'serve.html': (['make_app', 'check_image', 'Predictor'], 0),
         'cli.html': (['main'], 0)}

def _missing(what):
    if os.environ.get('CI'): pytest.fail(f'{what} (CI must build and check the docs site)')
    pytest.skip(what)

@pytest.fixture(scope='module')
def site():
    if not (DOCS/'index.html').exists(): _missing(f'{DOCS} not built: run `make docs`')
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = functools.partial(Quiet, directory=str(DOCS))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{server.server_port}'
    server.shutdown()

@pytest.fixture(scope='module')
def browser():
    if not (CHROMIUM and DRIVER): _missing('Chromium and chromedriver not installed (apt install chromium chromium-driver)')
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1280,900'):
        opts.add_argument(arg)
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)   # explicit driver: Selenium Manager downloads nothing
    yield driver
    driver.quit()

@pytest.mark.parametrize('page', list(PAGES))
def test_page_renders(site, browser, page):
    functions, min_pictures = PAGES[page]
    browser.get(f'{site}/{page}')
    title = browser.find_element('css selector', 'header.fer-title h1').text
    assert title, f'{page}: no title'
    nav = [a.get_attribute('href').rsplit('/', 1)[-1] for a in browser.find_elements('css selector', 'nav.fer-nav a')]
    assert set(PAGES) <= set(nav), f'{page}: navigation lacks {set(PAGES) - set(nav)}'
    headings = {h.text.strip() for h in browser.find_elements('css selector', '.jp-RenderedMarkdown h3')}
    assert set(functions) <= headings, f'{page}: API docs missing for {set(functions) - headings}'
    pictures = browser.execute_script(
        "return Array.from(document.images).map(i => [i.currentSrc.slice(0, 60), i.complete && i.naturalWidth > 0])")
    local = [ok for src, ok in pictures if not src.startswith('https://colab.research.google.com')]
    assert all(local), f'{page}: broken pictures {[s for s, ok in pictures if not ok]}'
    assert len(local) >= min_pictures, f'{page}: {len(local)} plots/pictures, expected at least {min_pictures}'
    logs = browser.get_log('browser')
    errors = [e for e in logs if e['level'] == 'SEVERE' and ('127.0.0.1' in e['message'] or e.get('source') == 'javascript')]
    assert not errors, f'{page}: browser errors {json.dumps(errors)[:500]}'
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script('return document.documentElement.scrollHeight')
    browser.set_window_size(1280, min(height, 12000))
    assert browser.save_screenshot(str(SHOTS/page.replace('.html', '.png')))
    browser.set_window_size(1280, 900)

@pytest.mark.parametrize('old, new', [('infer.html#analyze_video', 'video.html#analyze_video'), ('train.html#run_summary', 'runs.html#run_summary'),
                                      ('infer.html#export_model', 'model.html#export_model'), ('infer.html#predict', 'infer.html#predict')])
def test_old_links_reach_the_moved_definitions(site, browser, old, new):
    "A link from before the notebooks were split lands on the page that now holds the definition."
    from selenium.webdriver.support.ui import WebDriverWait
    browser.get(f'{site}/{old}')
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith(new))
    assert browser.find_element('id', new.split('#')[1])

"""The base install (#50): `pip install .` with no extras, in a fresh venv, runs predict, video and evaluate without TensorFlow,
JAX, PyTorch or matplotlib, within the size and start-up targets; the commands that need an extra name it in one line."""
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_light_install(real_path, tmp_path):
    "tools/light_install.py does the install and the checks (about a minute: pip, then FER2013 parsed by the NumPy kernel)."
    out = tmp_path/'light.json'
    r = subprocess.run([sys.executable, ROOT/'tools'/'light_install.py', '--data', real_path, '--json', out], capture_output=True, text=True, timeout=900)
    print(r.stdout[-3000:], r.stderr[-2000:])
    got = json.loads(out.read_text())
    failed = {k: v['detail'] for k, v in got['checks'].items() if not v['ok']}
    assert not failed and r.returncode == 0, failed
    f = got['figures']
    assert f['site_packages_mb'] <= 400, f            # the whole site-packages of the fresh venv, pip included
    assert f['wheel_mb'] < 50, f
    assert f['cold_predict_s'] <= 1.0, f              # target 0.5 s on an idle machine; tests run two at a time here

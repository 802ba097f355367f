"""What op determinism costs: the same 2-epoch `fer-nb train` (1,500 faces, seed 7) twice without and twice with it.

    python bench/determinism.py --data ../shared/data/fer2013.csv.gz
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

p = argparse.ArgumentParser(); p.add_argument('--data', default=os.environ.get('FER2013_CSV')); args = p.parse_args()
cli = Path(sys.executable).parent/'fer-nb'
with tempfile.TemporaryDirectory() as d:
    for i, det in enumerate((False, False, True, True)):
        out = Path(d)/str(i); t = time.perf_counter()
        subprocess.run([str(cli), 'train', '--data', args.data, '--epochs', '2', '--limit', '1500', '--seed', '7', '--augment',
                        '--quiet', '--out', str(out), *(['--deterministic'] if det else [])], check=True, capture_output=True)
        m = json.loads((out/'metrics.json').read_text())
        print(f"deterministic={det}: {time.perf_counter() - t:.1f} s, val_loss {m['val_loss']}, test_loss {m['test_loss']}, "
              f"PrivateTest acc {m['test_accuracy']}")

"""What op determinism costs: the same 2-epoch run (1,500 faces, seed 7) twice without and once with it.

    python bench/determinism.py --data ../shared/data/fer2013.csv.gz
"""
import argparse, os, sys, tempfile
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'tests'))
from test_repeatability import run

p = argparse.ArgumentParser(); p.add_argument('--data', default=os.environ.get('FER2013_CSV')); args = p.parse_args()
with tempfile.TemporaryDirectory() as d:
    for i, det in enumerate((False, False, True, True)):
        r = run(args.data, Path(d)/str(i), det)
        print(f"deterministic={det}: {r['seconds']:.1f} s, val_loss {r['val_loss']}, test_loss {r['test_loss']}, PrivateTest acc {r['test_accuracy']}")

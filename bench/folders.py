"""Your own data (#47): fine-tuning the default model on a four-class folder of 2,000 pictures, against training the same
network from scratch for the same time and against the unchanged FER2013 model with its emotions mapped, in one run.

    python bench/folders.py                  # per class 500, the default model vgg_w1_kd
    python bench/folders.py --per-class 100 --arch reference --width 0 --init reference

The folder (`folders.make_demo_folder`, seed 1) is built from FER2013's two test splits, faces that no shipped model was
trained on, under ~/.cache/fer_nb/bench_folders. Each `fer-nb` command runs with a fresh face cache and is timed end to
end (faces prepared, trained, scored); the fine-tune's training seconds become the scratch run's --max-minutes.
"""
from __future__ import annotations
import argparse, json, os, shutil, subprocess, sys, time
from pathlib import Path


def fer_nb(*args, env=None):
    "Run `fer-nb`, return (seconds, stdout); stop with its stderr if it fails."
    t = time.perf_counter()
    r = subprocess.run([str(Path(sys.executable).parent/'fer-nb'), *map(str, args)], capture_output=True, text=True, env={**os.environ, **(env or {})})
    if r.returncode: sys.exit(f"fer-nb {' '.join(map(str, args))} failed:\n{r.stderr[-3000:]}")
    return time.perf_counter() - t, r.stdout


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--per-class', type=int, default=500); p.add_argument('--arch', default='vgg'); p.add_argument('--width', type=float, default=1.0)
    p.add_argument('--init', default='vgg_w1_kd'); p.add_argument('--epochs', type=int, default=8); p.add_argument('--freeze-epochs', type=int, default=2); p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--out', default=str(Path.home()/'.cache'/'fer_nb'/'bench_folders'))
    args = p.parse_args(argv)
    import numpy as np
    from fer_nb.env import describe_machine
    from fer_nb.data import load_fer2013
    from fer_nb.folders import DEMO_CLASSES, load_folder, make_demo_folder, mapped_probs
    from fer_nb.model import load_model, predict_probs
    out = Path(args.out); shutil.rmtree(out, ignore_errors=True); out.mkdir(parents=True)
    lab = make_demo_folder(load_fer2013(), out/'lab', per_class=args.per_class, seed=1)
    arch = ['--arch', args.arch] + (['--width', args.width] if args.width else []) + (['--precision', 'bf16'] if args.arch == 'vgg' else [])
    common = ['--data', lab, '--group-by', r'subject(\d+)', *arch, '--batch-size', 32, '--augment', '--quiet', '--report', out]
    print(f"machine: {describe_machine()}\nfolder: {lab}, {args.per_class * 4:,} pictures in 4 classes")
    tune_s, said = fer_nb('train', *common, '--init', args.init, '--freeze-epochs', args.freeze_epochs, '--epochs', args.epochs, '--lr', args.lr, '--out', out/'tuned',
                          env={'FER_NB_CACHE': str(out/'cache1')})
    tuned = json.loads((out/'tuned'/'metrics.json').read_text())
    print(f"fine-tuned from {args.init}: {tune_s:.0f} s end to end ({tuned['train_seconds']:.0f} s of training): "
          f"PublicTest {tuned['val_accuracy']:.2%}, PrivateTest {tuned['test_accuracy']:.2%}")
    scratch_s, _ = fer_nb('train', *common, '--epochs', 1000, '--lr', 1e-3, '--schedule', 'time', '--max-minutes', tuned['train_seconds'] / 60, '--out', out/'scratch',
                          env={'FER_NB_CACHE': str(out/'cache2')})
    scratch = json.loads((out/'scratch'/'metrics.json').read_text())
    print(f"from scratch, the same training time: {scratch_s:.0f} s end to end ({scratch['train_seconds']:.0f} s of training, {scratch['epochs_run']} epochs): "
          f"PublicTest {scratch['val_accuracy']:.2%}, PrivateTest {scratch['test_accuracy']:.2%}")
    mine = load_folder(lab, group_by=r'subject(\d+)', progress=False, report=out)
    model = load_model(args.init)
    acc = {split: float((mapped_probs(predict_probs(model, x), DEMO_CLASSES, mine.classes).argmax(1) == y).mean())
           for split, (x, y) in (('PublicTest', mine.val), ('PrivateTest', mine.test))}
    print(f"{args.init} unchanged, emotions mapped: PublicTest {acc['PublicTest']:.2%}, PrivateTest {acc['PrivateTest']:.2%} ({len(mine.y_test)} test faces)")
    t = time.perf_counter(); load_folder(lab, group_by=r'subject(\d+)', progress=False, report=out); first = time.perf_counter() - t   # cache2 is warm: time both ways
    os.environ['FER_NB_CACHE'] = str(out/'cache3')
    t = time.perf_counter(); load_folder(lab, group_by=r'subject(\d+)', progress=False, report=out); cold = time.perf_counter() - t
    t = time.perf_counter(); load_folder(lab, group_by=r'subject(\d+)', progress=False, report=out); warm = time.perf_counter() - t
    print(f"faces prepared: {cold:.1f} s the first time, {warm:.2f} s from the cache ({cold / warm:.0f}x)")
    print(f"targets: fine-tune <= 600 s end to end: {tune_s:.0f} s; beats scratch and mapped on PrivateTest: "
          f"{tuned['test_accuracy'] > scratch['test_accuracy'] and tuned['test_accuracy'] > acc['PrivateTest']}")


if __name__ == '__main__': main()

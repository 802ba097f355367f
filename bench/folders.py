"""Your own data (#47): fine-tuning the default model on a four-class folder of 2,000 pictures, against training the same
network from scratch for the same time and against the unchanged FER2013 model with its emotions mapped, in one run.

The folder's classes are unions of FER2013's emotions, so a fine-tune can also start at the mapped model itself (`--merge`)
and learn the folder's class frequencies (its frozen phase). One test split of ~214 faces cannot tell a point apart (the
standard error is ~2.7 points), so that comparison is cross-validated: `--folds` manifests (`file,label,split`) each hold one
fold out as the test split and the next as the validation split, stratified by class, so every picture is tested once; the
difference is paired, face by face, over all of them. (The demo's subjects are made up from FER2013's row numbers, as it
has no identities, so the folds do not group them.)

    python bench/folders.py                  # per class 500, the default model vgg_w1_kd
    python bench/folders.py --per-class 100 --arch reference --width 0 --init reference

The folder (`folders.make_demo_folder`, seed 1) is built from FER2013's two test splits, faces that no shipped model was
trained on, under ~/.cache/fer_nb/bench_folders. Each `fer-nb` command runs with a fresh face cache and is timed end to
end (faces prepared, trained, scored); the fine-tune's training seconds become the scratch run's --max-minutes.
"""
from __future__ import annotations
import argparse, csv, json, os, shutil, subprocess, sys, time
from pathlib import Path


def fer_nb(*args, env=None):
    "Run `fer-nb`, return (seconds, stdout); stop with its stderr if it fails."
    t = time.perf_counter()
    r = subprocess.run([str(Path(sys.executable).parent/'fer-nb'), *map(str, args)], capture_output=True, text=True, env={**os.environ, **(env or {})})
    if r.returncode: sys.exit(f"fer-nb {' '.join(map(str, args))} failed:\n{r.stderr[-3000:]}")
    return time.perf_counter() - t, r.stdout


def baselines(args, out, mapped, served):
    "The folder made anew; fine-tuned with a new head, from scratch for the same time, and the mapped model; faces prepared twice."
    from fer_nb.data import load_fer2013
    from fer_nb.folders import DEMO_CLASSES, load_folder, make_demo_folder
    from fer_nb.model import merge_spec
    shutil.rmtree(out, ignore_errors=True); out.mkdir(parents=True)
    lab = make_demo_folder(load_fer2013(), out/'lab', per_class=args.per_class, seed=1)
    arch = ['--arch', args.arch] + (['--width', args.width] if args.width else []) + (['--precision', 'bf16'] if args.arch == 'vgg' else [])
    common = ['--data', lab, '--group-by', r'subject(\d+)', *arch, '--batch-size', 32, '--augment', '--quiet', '--report', out]
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
    acc = {split: float((mapped(served, x).argmax(1) == y).mean()) for split, (x, y) in (('PublicTest', mine.val), ('PrivateTest', mine.test))}
    print(f"{args.init} unchanged, emotions mapped: PublicTest {acc['PublicTest']:.2%}, PrivateTest {acc['PrivateTest']:.2%} ({len(mine.y_test)} test faces)")
    t = time.perf_counter(); load_folder(lab, group_by=r'subject(\d+)', progress=False, report=out); first = time.perf_counter() - t   # cache2 is warm: time both ways
    os.environ['FER_NB_CACHE'] = str(out/'cache3')
    t = time.perf_counter(); load_folder(lab, group_by=r'subject(\d+)', progress=False, report=out); cold = time.perf_counter() - t
    t = time.perf_counter(); load_folder(lab, group_by=r'subject(\d+)', progress=False, report=out); warm = time.perf_counter() - t
    print(f"faces prepared: {cold:.1f} s the first time, {warm:.2f} s from the cache ({cold / warm:.0f}x)")
    merged_s, _ = fer_nb('train', '--data', lab, '--group-by', r'subject(\d+)', '--arch', args.arch, *(['--width', args.width] if args.width else []), '--init', args.init,
                         '--merge', merge_spec(DEMO_CLASSES), *args.merge_recipe.split(), '--quiet', '--report', out, '--out', out/'merged')
    merged = json.loads((out/'merged'/'metrics.json').read_text())
    print(f"merged fine-tune ({args.merge_recipe}): {merged_s:.0f} s end to end: PublicTest {merged['val_accuracy']:.2%} (epoch {merged['best_epoch']}), PrivateTest {merged['test_accuracy']:.2%}")
    print(f"targets: fine-tune <= 600 s end to end: {tune_s:.0f} s (merged {merged_s:.0f} s); beats scratch and mapped on PrivateTest: "
          f"new head {tuned['test_accuracy'] > scratch['test_accuracy'] and tuned['test_accuracy'] > acc['PrivateTest']}, "
          f"merged {merged['test_accuracy'] > scratch['test_accuracy'] and merged['test_accuracy'] > acc['PrivateTest']}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--per-class', type=int, default=500); p.add_argument('--arch', default='vgg'); p.add_argument('--width', type=float, default=1.0)
    p.add_argument('--init', default='vgg_w1_kd'); p.add_argument('--epochs', type=int, default=8); p.add_argument('--freeze-epochs', type=int, default=2); p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--folds', type=int, default=5, choices=range(3, 21), metavar='3..20', help='folds of the cross-validation of the merged fine-tune against the mapped model')
    p.add_argument('--merge-recipe', default='--optimizer sgd --lr 0.1 --freeze-epochs 6 --epochs 6', help="the merged fine-tune's flags")
    p.add_argument('--only-folds', action='store_true', help='only the cross-validation, on the folder a full run left (for trying merge recipes)')
    p.add_argument('--out', default=str(Path.home()/'.cache'/'fer_nb'/'bench_folders'))
    args = p.parse_args(argv)
    import numpy as np
    from fer_nb.env import describe_machine
    from fer_nb.folders import DEMO_CLASSES, load_folder, mapped_probs
    from fer_nb.model import load_model, merge_spec, predict_probs
    out = Path(args.out); lab = out/'lab'
    print(f"machine: {describe_machine()}\nfolder: {lab}, {args.per_class * 4:,} pictures in 4 classes")
    served, plain = load_model(args.init), load_model(args.init, runtime='keras')   # as shipped (its runtime and temperature), and its Keras float32 weights
    def mapped(model, x): return mapped_probs(predict_probs(model, x) if model is served else model.predict(x[..., :1] / 255.0, verbose=0), DEMO_CLASSES, sorted(DEMO_CLASSES))
    if not args.only_folds: baselines(args, out, mapped, served)
    os.environ['FER_NB_CACHE'] = str(out/'cache3')   # warm
    # the merged fine-tune against the mapped model (as shipped, and its float32 Keras weights without the temperature), fold by fold
    from fer_nb.folders import folder_rows
    rows, _ = folder_rows(lab); rng = np.random.default_rng(0); fold = {}
    for label in sorted({r['label'] for r in rows}):   # stratified: each class dealt round the folds in a random order
        files = [r['file'] for r in rows if r['label'] == label]
        for k, i in enumerate(rng.permutation(len(files))): fold[files[i]] = k % args.folds
    right = {k: [] for k in ('merged', 'mapped as shipped', 'mapped, Keras float32')}
    print(f"\nmerged fine-tune ({args.merge_recipe}) against the mapped model, {args.folds}-fold cross-validation:")
    for k in range(args.folds):
        manifest = out/f'fold{k}.csv'
        with open(manifest, 'w', newline='') as fh:
            w = csv.writer(fh); w.writerow(('file', 'label', 'split'))
            for r in rows: w.writerow((r['file'], r['label'], 'test' if fold[r['file']] == k else 'val' if fold[r['file']] == (k + 1) % args.folds else 'train'))
        split = load_folder(manifest, progress=False, report=out)
        run = out/f'merged{k}'; shutil.rmtree(run, ignore_errors=True)
        secs, _ = fer_nb('train', '--data', manifest, '--arch', args.arch, *(['--width', args.width] if args.width else []), '--init', args.init,
                         '--merge', merge_spec(DEMO_CLASSES), *args.merge_recipe.split(), '--quiet', '--report', out, '--out', run)
        config, metrics = json.loads((run/'config.json').read_text()), json.loads((run/'metrics.json').read_text())
        model = load_model(run/'best.keras', runtime='keras')
        right['merged'].append(predict_probs(model, split.x_test).argmax(1) == split.y_test)
        right['mapped as shipped'].append(mapped(served, split.x_test).argmax(1) == split.y_test)
        right['mapped, Keras float32'].append(mapped(plain, split.x_test).argmax(1) == split.y_test)
        print(f"  fold {k}: {secs:.0f} s end to end; PublicTest ({len(split.y_val)} faces) start {config['init_val_accuracy']:.2%} -> {metrics['val_accuracy']:.2%} "
              f"(epoch {metrics['best_epoch']}); PrivateTest ({len(split.y_test)} faces): " + ', '.join(f"{n} {v[-1].mean():.2%}" for n, v in right.items()), flush=True)
    pooled = {k: np.concatenate(v) for k, v in right.items()}
    n = len(pooled['merged'])
    print(f"all {n} faces, each tested once: " + ', '.join(f"{k} {v.mean():.2%}" for k, v in pooled.items()))
    for base in ('mapped as shipped', 'mapped, Keras float32'):
        b, c = int((pooled['merged'] & ~pooled[base]).sum()), int((~pooled['merged'] & pooled[base]).sum())
        d = (b - c) / n; se = np.sqrt(b + c - (b - c) ** 2 / n) / n   # paired: only the faces the two models disagree on count
        print(f"merged - {base}: {d:+.2%} (standard error {se:.2%}; {b} faces only the merged model gets right, {c} only the mapped)")

if __name__ == '__main__': main()

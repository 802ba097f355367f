"""Training, inference and start-up speed: the plain Keras baseline beside fer_nb's path, in one run, with ratios.

    python bench/speed.py --data ../shared/data/fer2013.csv.gz      # part of `make bench`; 15-45 minutes on 2 cores, mostly training

Sections (each prints baseline, fer_nb and their ratio; absolute times drift on a shared machine, ratios hold):
  train    images/s of `model.fit` for the reference CNN and VGG in float32 and in bf16: in-memory float arrays without
           augmentation (baseline) against fer_nb's uint8 batches with augmentation and erasing on; then bf16 against
           float32 on those batches, as the median of paired epochs
  batch    images/s over the 3,589 PrivateTest crops: `model.predict(batch_size=256)` against `classify_crops` on the\n           float32 and the int8 LiteRT twins, side by side, with their agreement and the int8 accuracy loss
  crop     latency of one 48x48 crop: `model.predict` and a direct `model(x)` call against `classify_crops`
  photo    one 640x480 photograph, detect + classify: OpenCV's Haar defaults + `model.predict` against
           `fer_nb.infer.predict` with YuNet (the default) and with Haar, then the time of each stage of `predict`, and YuNet
           run by OpenCV from its ONNX file against its LiteRT twin (the default)
  models   the photo path of each shipped model in its card's runtime (the 640x480 photo, YuNet, median ms) beside the
           same baseline as `photo`, and of the shipped ensemble; with --write-cards, each card's `photo_ms`, from which
           `default_model` picks the default among the single models
  startup  `import tensorflow` against `import fer_nb` / `fer_nb.infer`; `fer-nb --help`; `fer-nb predict` on a photo
"""
from __future__ import annotations
import argparse, json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
ROWS = []   # (section, measure, baseline, fer_nb, unit, ratio, goal)


def report(section, measure, baseline, ours, unit, higher_is_better, goal='', ratio=None):
    "Print and keep one row; `ratio` (default: of `ours` to `baseline`) may be given, e.g. a median of paired ratios."
    ratio = ratio or ((ours / baseline) if higher_is_better else (baseline / ours))
    ROWS.append((section, measure, baseline, ours, unit, ratio, goal))
    fmt = (lambda v: f'{v:,.0f}') if unit == 'img/s' else (lambda v: f'{v:,.2f}')
    print(f'  {measure}: baseline {fmt(baseline)} {unit}, fer_nb {fmt(ours)} {unit}, {ratio:.2f}x  {goal}', flush=True)


def median_ms(fn, n):
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def best_rate(fn, n_images, repeat=3):
    fn()
    return max(n_images / _timed(fn) for _ in range(repeat))


def _timed(fn):
    t = time.perf_counter(); fn(); return time.perf_counter() - t


def _compiled(arch, width, precision):
    "A freshly built, compiled model of `arch` in `precision`, as `train` builds it (the same seed for every build)."
    import keras
    from fer_nb.model import build_model
    from fer_nb.train import PRECISIONS
    keras.utils.set_random_seed(0)
    keras.mixed_precision.set_global_policy(PRECISIONS[precision])
    try: model = build_model(arch, compile=False, **({'width': width} if width else {}))
    finally: keras.mixed_precision.set_global_policy('float32')
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss='categorical_crossentropy', metrics=['accuracy'])
    return model


NETS = {'reference': ('reference', None, 1), 'vgg0.5': ('vgg', 0.5, 0.5),
        'vgg1.0': ('vgg', 1.0, 0.5)}   # --nets: (arch, width, share of --steps); vgg at full width is the long runs' network


def bench_train(data, steps, batch=64, arch='reference', width=None, repeats=3, pairs=6, with_plain=True):
    "Images/s of model.fit in each precision: float arrays in memory, no augmentation (baseline) vs fer_nb's augmenting batches."
    import keras
    from fer_nb.data import make_dataset, one_hot, to_float
    from fer_nb.train import PRECISIONS
    n = steps * batch
    x_u8, y = data.x_train[:n], data.y_train[:n]
    x_f, y_1h = to_float(x_u8), one_hot(y).astype(np.float32)

    class Rate(keras.callbacks.Callback):
        "Images/s of the last epoch; the first epoch (tracing, pipeline start) is the warm-up."
        def on_epoch_begin(self, epoch, logs=None): self.t = time.perf_counter()
        def on_epoch_end(self, epoch, logs=None): self.rate = n / (time.perf_counter() - self.t)

    def rate(precision, fit_args):
        cb = Rate(); _compiled(arch, width, precision).fit(**fit_args, epochs=3, verbose=0, callbacks=[cb])
        return cb.rate

    plain = lambda p: rate(p, dict(x=x_f, y=y_1h, batch_size=batch, shuffle=True))
    piped = lambda p: rate(p, dict(x=make_dataset(x_u8, y, batch, shuffle=True, augment=True, erase=True)))
    name = f'{arch}' + (f' width {width}' if width else '')
    for p in PRECISIONS if with_plain else ():
        base, ours = [], []
        for _ in range(repeats): base.append(plain(p)); ours.append(piped(p))   # interleaved, so drift hits both alike
        report('train', f'{name}, {p}, batch {batch}, {n:,} images/epoch: fit on arrays vs fer_nb batches (augmented)',
               max(base), max(ours), 'img/s', True, 'goal >= 0.95x')
    models = {p: _compiled(arch, width, p) for p in PRECISIONS}
    bench_precision_pairs(models, make_dataset(x_u8, y, batch, shuffle=True, augment=True, erase=True), n, name, pairs)


def bench_precision_pairs(models, # {'float32': model, 'bf16': model}, compiled
                          ds, # fer_nb's batches, `n` images an epoch
                          n, name, pairs):
    """bf16 against float32 on fer_nb's batches, as paired epochs: both models, warmed up once, train one epoch each,
    back to back, `pairs` times (the order alternating), and the row gives the median of the pairs' ratios. This VM's
    speed changes from one minute to the next; an epoch of each, side by side, sees the same speed."""
    for m in models.values(): m.fit(ds, epochs=1, verbose=0)   # tracing and the pipeline's start
    rates = {p: [] for p in models}
    for k in range(pairs):
        for p in (list(models) if k % 2 == 0 else list(models)[::-1]):
            rates[p].append(n / _timed(lambda: models[p].fit(ds, epochs=1, verbose=0)))
    ratios = sorted(b / f for f, b in zip(rates['float32'], rates['bf16']))
    report('train', f'{name}, fer_nb batches: float32 vs bf16, median of {pairs} paired epochs '
           f'(pair ratios {ratios[0]:.2f}-{ratios[-1]:.2f}x)', statistics.median(rates['float32']),
           statistics.median(rates['bf16']), 'img/s', True, 'goal >= 1.4x', ratio=statistics.median(ratios))


def bench_inference(data, crop_repeats):
    "Batch throughput and one-crop latency: Keras' own calls against `classify_crops` in LiteRT, float32 and int8 side by side."
    from fer_nb.data import to_float
    from fer_nb.infer import classify_crops
    from fer_nb.model import load_model, shipped_models
    keras_ref = load_model('reference', runtime='keras')
    lite, int8 = load_model('reference', runtime='lite'), load_model('reference', runtime='lite-int8')
    x, y = data.x_test, data.y_test; xf = to_float(x)
    base = best_rate(lambda: keras_ref.predict(xf, batch_size=256, verbose=0), len(x))
    report('batch', f'reference CNN, {len(x):,} PrivateTest crops: float32 LiteRT twin', base,
           best_rate(lambda: classify_crops(x, lite), len(x)), 'img/s', True, 'goal >= 3,000 img/s')
    report('batch', 'same: int8 LiteRT twin (dynamic range)', base, best_rate(lambda: classify_crops(x, int8), len(x)),
           'img/s', True, 'goal >= 6,000 img/s')
    report('batch', 'same: classify_crops on the Keras model (compiled tf.function)', base,
           best_rate(lambda: classify_crops(x, keras_ref), len(x)), 'img/s', True)
    best = next(iter(shipped_models()))
    if best != 'reference':
        keras_best = load_model(best, runtime='keras')
        report('batch', f'best shipped model ({best}), default runtime', best_rate(lambda: keras_best.predict(xf, batch_size=256, verbose=0), len(x)),
               best_rate(lambda: classify_crops(x, best), len(x)), 'img/s', True)
    one, one_f = x[:1], xf[:1]
    predict_ms = median_ms(lambda: keras_ref.predict(one_f, verbose=0), max(20, crop_repeats // 10))
    direct_ms = median_ms(lambda: keras_ref(one_f, training=False), crop_repeats)
    for name, model in (('float32', lite), ('int8', int8)):
        ours_ms = median_ms(lambda: classify_crops(one, model), crop_repeats)
        report('crop', f'one crop, median: model.predict vs classify_crops ({name})', predict_ms, ours_ms, 'ms', False, 'goal <= 1.5 ms')
        report('crop', f'one crop, median: direct model(x) call vs classify_crops ({name})', direct_ms, ours_ms, 'ms', False)
    p_keras, p_lite, p_int8 = (classify_crops(x, m).argmax(1) for m in (keras_ref, lite, int8))
    checks = [('float32 LiteRT: top class same as Keras', (p_lite == p_keras).mean(), 'goal >= 99.9 %'),
              ('int8 LiteRT: top class same as float32', (p_int8 == p_lite).mean(), 'goal >= 99 %'),
              ('int8 accuracy loss against float32 (points)', (p_lite == y).mean() - (p_int8 == y).mean(), 'goal <= 0.3 pt')]
    for what, value, goal in checks:
        print(f'  exactness: {what}: {value:.2%} ({goal})')
        ROWS.append(('crop', f'{what}, PrivateTest', None, value, '', None, goal))


def photo_640x480(folder) -> Path:
    "The astronaut photo from scikit-image (NASA, public domain), resized to 640x480, as a JPEG."
    from PIL import Image
    from skimage.data import astronaut
    path = Path(folder)/'astronaut_640x480.jpg'
    Image.fromarray(astronaut()).resize((640, 480), Image.BILINEAR).save(path, quality=90)
    return path


def naive_photo_ms(rgb, repeats):
    "The baseline of the photo sections: OpenCV's Haar defaults + `model.predict` of the Keras reference CNN, median ms."
    import cv2
    from fer_nb.model import load_model
    keras_ref = load_model('reference', runtime='keras')
    cascade = cv2.CascadeClassifier(os.path.join(cv2.data.haarcascades, 'haarcascade_frontalface_default.xml'))
    def naive():
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        crops = [cv2.resize(grey[y:y + h, x:x + w], (48, 48)) for x, y, w, h in cascade.detectMultiScale(grey)]
        return keras_ref.predict(np.stack(crops)[..., None] / 255.0, verbose=0) if crops else []
    return median_ms(naive, repeats)


def bench_photo(path, repeats):
    "One 640x480 photo: naive OpenCV-defaults Haar detection + model.predict, against fer_nb.infer.predict (YuNet, then Haar)."
    from PIL import Image
    from fer_nb.infer import predict
    rgb = np.asarray(Image.open(path).convert('RGB'))
    base = naive_photo_ms(rgb, repeats)
    for detector in ('yunet', 'haar'):
        faces = predict(rgb, 'reference', detector=detector)
        assert len(faces) == 1, f'expected one face in {path} with {detector}, found {len(faces)}'
        report('photo', f'640x480 photo, detect + frame + classify, median ({detector}, default runtime)', base,
               median_ms(lambda: predict(rgb, 'reference', detector=detector), repeats), 'ms', False, 'goal <= 10 ms' if detector == 'yunet' else '')
    bench_photo_stages(rgb, repeats)


def bench_models(path, repeats, write_cards=False):
    "The photo path of each shipped model, in its card's runtime, beside the naive baseline; optionally recorded in the cards."
    from PIL import Image
    from fer_nb.env import describe_machine
    from fer_nb.infer import predict
    from fer_nb.model import MODELS_DIR, DEFAULT_PHOTO_MS, default_model, shipped_models
    from fer_nb.ship import ENSEMBLE_CARD, served, shipped_ensemble
    rgb = np.asarray(Image.open(path).convert('RGB'))
    cards, ensemble = shipped_models(), shipped_ensemble()
    specs = {name: name for name in cards}
    if ensemble: specs['ensemble'] = ','.join(ensemble['members'])   # in the latency table, not a default candidate
    for name, spec in specs.items(): assert len(predict(rgb, spec)) == 1, f'expected one face in {path} with {spec}'
    # Two rounds, the second in reverse order, each model's best round kept: a model timed first ran up to 1.5x slower
    # than in the next rounds on a busy VM (2026-12-07), whatever the model.
    base, times = naive_photo_ms(rgb, repeats), {}
    for order in (list(specs), list(specs)[::-1]):
        for name in order:
            ms = median_ms(lambda: predict(rgb, specs[name]), max(1, repeats // 2))
            times[name] = min(ms, times.get(name, ms))
    for name, card in cards.items():
        acc = served(card)
        report('models', f"photo path, {name} ({card['runtime']}, {card['mflops']:.0f} MFLOP; PublicTest {acc['val_accuracy']:.2%}, "
               f"PrivateTest {acc['test_accuracy']:.2%})", base, times[name], 'ms', False, f'default: <= {DEFAULT_PHOTO_MS} ms')
    if ensemble:
        report('models', f"photo path, ensemble {' + '.join(ensemble['members'])} ({ensemble['runtime']}, {ensemble['mflops']:.0f} MFLOP; "
               f"PublicTest {ensemble['val_accuracy']:.2%}, PrivateTest {ensemble['test_accuracy']:.2%})", base, times['ensemble'], 'ms', False)
    if write_cards:
        machine = describe_machine()
        files = {name: MODELS_DIR/f'{name}.json' for name in cards}
        if ensemble: files['ensemble'] = MODELS_DIR/ENSEMBLE_CARD   # the ensemble's card has its own name
        for name, ms in times.items():
            f = files[name]; card = json.loads(f.read_text())
            card.update(photo_ms=round(ms, 2), photo_machine=machine, photo_command='python bench/speed.py --only models --write-cards')
            f.write_text(json.dumps(card, indent=2))
        print(f'  photo_ms written to the cards; the default model is now {default_model()}')


def bench_photo_stages(rgb, repeats):
    "Where fer_nb's photo time goes: each stage of `predict` with the default detector, timed on its own (median ms)."
    from fer_nb.faces import detect_faces, frame_faces, preprocess
    from fer_nb.infer import classify_crops
    from fer_nb.model import load_model
    model = load_model('reference')
    grey = preprocess(rgb); faces = detect_faces(grey); crops = frame_faces(grey, faces)
    stages = dict(preprocess=lambda: preprocess(rgb), detect_faces=lambda: detect_faces(grey),
                  frame_faces=lambda: frame_faces(grey, faces), classify_crops=lambda: classify_crops(crops, model))
    for name, fn in stages.items():
        ms = median_ms(fn, repeats)
        print(f'    stage {name}: {ms:.2f} ms')
        ROWS.append(('photo', f'stage: {name}', None, ms, 'ms', None, ''))
    import cv2
    from fer_nb.faces import DETECT_PX, MIN_FACE, yunet_rows
    small = cv2.resize(grey, None, fx=DETECT_PX / MIN_FACE, fy=DETECT_PX / MIN_FACE, interpolation=cv2.INTER_AREA)   # what YuNet searches
    report('photo', f'YuNet on the {small.shape[1]}x{small.shape[0]} search of the photo: OpenCV running the ONNX file (baseline) vs the LiteRT twin',
           median_ms(lambda: yunet_rows(small, runtime='opencv'), repeats), median_ms(lambda: yunet_rows(small), repeats), 'ms', False)


def bench_startup(photo, repeats=3):
    "Seconds to import, to show the CLI's help, and to run `fer-nb predict` on one photo, each in a fresh process."
    python, cli = sys.executable, str(Path(sys.executable).parent/'fer-nb')
    def run(*cmd): return min(_timed(lambda: subprocess.run(cmd, check=True, capture_output=True)) for _ in range(repeats))
    tf_import = run(python, '-c', 'import tensorflow')
    report('startup', 'import tensorflow vs import fer_nb', tf_import, run(python, '-c', 'import fer_nb'), 's', False)
    report('startup', 'import tensorflow vs import fer_nb.infer', tf_import, run(python, '-c', 'import fer_nb.infer'), 's', False)
    report('startup', 'import tensorflow vs fer-nb --help', tf_import, run(cli, '--help'), 's', False)
    end_to_end = run(cli, 'predict', str(photo))
    print(f'  fer-nb predict on one 640x480 photo, end to end: {end_to_end:.2f} s (import tensorflow alone: {tf_import:.2f} s)')
    ROWS.append(('startup', 'fer-nb predict one photo, end to end', None, end_to_end, 's', None, ''))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=os.environ.get('FER2013_CSV'))
    p.add_argument('--steps', type=int, default=60, help='training steps per timed epoch')
    p.add_argument('--repeats', type=int, default=300, help='calls per latency median')
    p.add_argument('--json', help='also write the rows to this JSON file')
    p.add_argument('--only', nargs='+', choices=['train', 'batch', 'photo', 'models', 'startup'], help='run only these sections')
    p.add_argument('--nets', nargs='+', choices=list(NETS), default=list(NETS), help='networks the train section times')
    p.add_argument('--pairs', type=int, default=6, help='paired float32/bf16 epochs per network')
    p.add_argument('--write-cards', action='store_true', help="models section: record each model's photo_ms in its card")
    p.add_argument('--pairs-only', action='store_true', help='train section: only the paired float32 vs bf16 epochs')
    args = p.parse_args(argv)
    import tensorflow as tf
    from fer_nb.data import load_fer2013
    from fer_nb.env import describe_machine
    print(f'machine: {describe_machine()}, TF {tf.__version__}; '
          f'load average {os.getloadavg()[0]:.2f} (should be near 0)')
    t0 = time.perf_counter()
    data = load_fer2013(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        photo = photo_640x480(tmp)
        run = lambda section: not args.only or section in args.only
        if run('train'):
            print('train')
            for net in args.nets:
                arch, width, share = NETS[net]
                bench_train(data, max(1, round(args.steps * share)), arch=arch, width=width, pairs=args.pairs, with_plain=not args.pairs_only)
        if run('batch'): print('batch / crop'); bench_inference(data, args.repeats)
        if run('photo'): print('photo'); bench_photo(photo, max(30, args.repeats // 10))
        if run('models'): print('models'); bench_models(photo, max(30, args.repeats // 10), args.write_cards)
        if run('startup'): print('startup'); bench_startup(photo)
    print(f'\n| section | measure | baseline | fer_nb | ratio | goal |\n|---|---|---|---|---|---|')
    for section, measure, base, ours, unit, ratio, goal in ROWS:
        show = lambda v: '' if v is None else (f'{v:.2%}' if unit == '' else f'{v:,.0f} {unit}' if unit == 'img/s' else f'{v:,.2f} {unit}')
        print(f"| {section} | {measure} | {show(base)} | {show(ours)} | {'' if ratio is None else f'{ratio:.2f}x'} | {goal} |")
    print(f'\nbench/speed.py took {time.perf_counter() - t0:.0f} s')
    if args.json: Path(args.json).write_text(json.dumps(ROWS, indent=1))


if __name__ == '__main__': main()

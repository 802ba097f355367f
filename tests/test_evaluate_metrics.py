"""The report's NumPy metrics (the base install has no scikit-learn or SciPy) against scikit-learn and SciPy, which `[dev]` keeps."""
import numpy as np, pytest
from fer_nb.evaluate import (average_precision, confusion_counts, fit_temperature, pr_points, roc_auc, roc_points, score,
                             expected_calibration_error)
from fer_nb.model import temper

sk = pytest.importorskip('sklearn.metrics')   # in [dev]; skipped only in a light install

def cases():
    "Probabilities with many ties (rounded to 0.01), with none, and with a class that is never predicted."
    rng = np.random.default_rng(7)
    for n, rounding in ((400, 2), (1000, None), (60, 1)):
        labels = rng.integers(0, 7, n); probs = rng.dirichlet(np.ones(7) * 0.5, n)
        if rounding: probs = np.round(probs, rounding) + 1e-9
        probs[:, 1] *= 0.01                                     # Disgust: rarely or never the top class
        yield labels, probs / probs.sum(1, keepdims=True)

@pytest.mark.parametrize('labels,probs', list(cases()))
def test_score_matches_scikit_learn(labels, probs):
    s = score(labels, probs); onehot = np.eye(7)[labels]
    probs = probs / probs.sum(1, keepdims=True); pred = probs.argmax(1)   # as `score` normalises them, so that ties stay ties
    p, r, f1, support = sk.precision_recall_fscore_support(labels, pred, labels=range(7), zero_division=0)
    auc = sk.roc_auc_score(onehot, probs, average=None); ap = sk.average_precision_score(onehot, probs, average=None)
    for i, c in enumerate(s['per_class']):
        got = s['per_class'][c]
        np.testing.assert_allclose([got['precision'], got['recall'], got['f1'], got['support'], got['roc_auc'], got['average_precision']],
                                   [p[i], r[i], f1[i], support[i], auc[i], ap[i]], rtol=0, atol=1e-12, err_msg=c)
    np.testing.assert_allclose([s['accuracy'], s['loss'], s['macro_f1'], s['weighted_f1'], s['roc_auc_micro'], s['ap_micro']],
                               [sk.accuracy_score(labels, pred), sk.log_loss(labels, probs, labels=range(7)), sk.f1_score(labels, pred, average='macro', zero_division=0),
                                sk.f1_score(labels, pred, average='weighted', zero_division=0), sk.roc_auc_score(onehot, probs, average='micro'),
                                sk.average_precision_score(onehot, probs, average='micro')], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(confusion_counts(labels, pred, 7), sk.confusion_matrix(labels, pred, labels=range(7)))

@pytest.mark.parametrize('labels,probs', list(cases()))
def test_curves_match_scikit_learn(labels, probs):
    "The plotted curves hold the same points (scikit-learn also drops collinear ROC points; the area is the same)."
    y, s = (labels == 3).astype(int), probs[:, 3]
    fpr, tpr, _ = sk.roc_curve(y, s, drop_intermediate=False)
    np.testing.assert_allclose(np.stack(roc_points(y, s)), np.stack([fpr, tpr]), atol=1e-12)
    np.testing.assert_allclose(roc_auc(y, s), sk.auc(*sk.roc_curve(y, s)[:2]), atol=1e-12)
    prec, rec, _ = sk.precision_recall_curve(y, s)
    ours_p, ours_r = pr_points(y, s)
    np.testing.assert_allclose(np.c_[np.r_[1, ours_p], np.r_[0, ours_r]], np.c_[prec[::-1], rec[::-1]], atol=1e-12)
    np.testing.assert_allclose(average_precision(y, s), sk.average_precision_score(y, s), atol=1e-12)

def test_temperature_matches_scipy():
    "Golden-section search finds a temperature as good as SciPy's bounded Brent."
    optimize = pytest.importorskip('scipy.optimize')
    rng = np.random.default_rng(3); truth = rng.integers(0, 7, 3000)
    logits = rng.normal(0, 1, (3000, 7)); logits[np.arange(3000), truth] += 1.2
    probs = temper(np.exp(logits) / np.exp(logits).sum(1, keepdims=True), 0.4)          # over-confident
    nll = lambda log_t: -np.log(temper(probs, np.exp(log_t))[np.arange(3000), truth] + 1e-12).mean()
    want = np.exp(optimize.minimize_scalar(nll, bounds=(np.log(0.05), np.log(20)), method='bounded', options=dict(xatol=1e-8)).x)
    got = fit_temperature(truth, probs)   # the loss is float32, flat to 1e-7 near its minimum: compare losses, then T loosely
    assert nll(np.log(got)) <= nll(np.log(want)) + 1e-6 and abs(got - want) < 1e-3 * want, (got, want)
    assert expected_calibration_error(truth, temper(probs, got)) < expected_calibration_error(truth, probs) / 2

def test_a_class_without_positives_has_no_auc():
    "A folder's class missing from a split gives nan ranking metrics, not an exception (scikit-learn raises)."
    assert np.isnan(roc_auc(np.zeros(5), np.linspace(0, 1, 5))) and np.isnan(average_precision(np.zeros(5), np.linspace(0, 1, 5)))

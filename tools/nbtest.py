"""`nbdev_test`, keeping what it ran: each notebook that passes is saved with its outputs in _proc/executed/ for the docs build.

    python tools/nbtest.py --n_workers 2 --timing     # `make nbtest`: the same arguments as `nbdev_test`
    python tools/docs.py --no-images --executed       # then render those notebooks instead of running them again

This is nbdev's own `nbdev_test` (same notebooks, skip flags, workers and exit status), with one addition: once a
notebook has run without error, its code cells' outputs are copied into the notebook as written (directives kept) and
saved as _proc/executed/NAME.ipynb, which is what `tools/docs.py` would otherwise spend a second full run of every notebook on.
"""
from __future__ import annotations
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXECUTED = ROOT/'_proc'/'executed'                            # read by `tools/docs.py --executed`


def save_executed(nb, dest_dir: Path = EXECUTED) -> Path:
    "Copy the outputs of executed notebook `nb` (read by nbdev, directives stripped) into its source; save in `dest_dir`."
    from execnb.nbio import write_nb
    from nbdev.process import NBProcessor
    src = Path(nb.path_)
    fresh = NBProcessor(src, rm_directives=False, process=True).nb   # as `tools/docs.py` reads it: directives kept
    ran, keep = [c for c in nb.cells if c.cell_type == 'code'], [c for c in fresh.cells if c.cell_type == 'code']
    if len(ran) != len(keep): raise RuntimeError(f'{src}: {len(ran)} code cells ran but the file has {len(keep)}')
    for a, b in zip(ran, keep):
        for key in ('outputs', 'execution_count'):
            if key in a: b[key] = a[key]
    for cell in fresh.cells: cell.pop('directives_', None)
    dest_dir.mkdir(parents=True, exist_ok=True)
    write_nb(fresh, dest_dir/f'{src.stem}.ipynb')
    return dest_dir/f'{src.stem}.ipynb'


def main():
    from execnb.shell import CaptureShell
    from nbdev.test import nbdev_test
    # Why a patch and not a hook: nbdev 2.4.14's `test_nb` builds its `CaptureShell` inside the function and drops it,
    # outputs and all, returning only (passed, seconds); nbdev offers no callback, processor or return value that sees the
    # executed notebook. What breaks on an upgrade: if `test_nb` stops calling `CaptureShell.run_all(nb, ...)` (or passes
    # a notebook that is not the file's cells), nothing is saved and `tools/docs.py --executed` stops with "_proc/executed/NAME.ipynb
    # missing", or `save_executed` raises on the cell count; the tests themselves still run. nbdev and execnb are pinned
    # in settings.ini's dev_requirements for that reason.
    run_all = CaptureShell.run_all
    def run_and_keep(self, nb, *args, **kwargs):
        run_all(self, nb, *args, **kwargs)                   # raises on a failing cell: nothing is saved
        save_executed(nb)
    CaptureShell.run_all = run_and_keep                      # nbdev_test's workers are forked, so they inherit it
    for old in EXECUTED.glob('*.ipynb'): old.unlink()            # only what this run executed may be rendered
    sys.argv[0] = 'nbdev_test'
    nbdev_test()


if __name__ == '__main__': main()

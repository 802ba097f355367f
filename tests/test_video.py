"""Videos: rows per sampled frame, one track per person, flat memory on a long video, one-line errors for bad files."""
import csv, json, os, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
from conftest import fer_nb_cli

def write_clip(path, face, seconds=4.0, fps=25, size=(640, 480), moving=True):
    "A clip with one 48x48 face (enlarged to 140 px) gliding across a textured background."
    import cv2
    from skimage import data as skdata
    back = cv2.resize(cv2.cvtColor(skdata.coffee(), cv2.COLOR_RGB2BGR), size)
    big = cv2.cvtColor(cv2.resize(face, (140, 140), interpolation=cv2.INTER_CUBIC), cv2.COLOR_GRAY2BGR)
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), fps, size)
    n = int(seconds * fps)
    for k in range(n):
        frame = back.copy(); x = 60 + (int(300 * k / n) if moving else 0)
        frame[150:290, x:x + 140] = big; w.write(frame)
    w.release()
    return path

@pytest.fixture(scope='module')
def clip(astronaut_face, tmp_path_factory):
    return write_clip(tmp_path_factory.mktemp('video')/'clip.mp4', astronaut_face)

def test_rows_per_sampled_frame_and_one_track(clip, tmp_path):
    from fer_nb.video import analyze_video
    v = analyze_video(clip, fps=5, csv=tmp_path/'rows.csv', plot=tmp_path/'timeline.png', annotate=tmp_path/'ann.mp4', progress=False)
    assert v['sampled'] == 20 and v['skipped'] == 0                      # 4 s at 25 fps sampled at 5 fps
    assert len(v['rows']) == 20 and {r['track'] for r in v['rows']} == {0}
    assert [r['frame'] for r in v['rows']] == list(range(0, 100, 5))
    assert np.allclose([r['time'] for r in v['rows']], np.arange(20) * 0.2)
    rows = list(csv.DictReader(open(tmp_path/'rows.csv')))
    assert len(rows) == 20 and set(rows[0]) >= {'time', 'frame', 'track', 'x', 'y', 'w', 'h', 'Happy', 'emotion'}
    assert (tmp_path/'timeline.png').stat().st_size > 10_000 and (tmp_path/'ann.mp4').stat().st_size > 10_000
    s = analyze_video(clip, fps=5, smooth=0.3, progress=False)
    raw, smooth = np.array([[r['Happy'] for r in v['rows']]]), np.array([[r['Happy'] for r in s['rows']]])
    assert np.abs(np.diff(smooth)).sum() <= np.abs(np.diff(raw)).sum() + 1e-6    # smoothing calms the scores

def test_cli_video(clip, tmp_path):
    r = fer_nb_cli('video', clip, '--fps', '2', '--runtime', 'lite', '--csv', tmp_path/'v.csv', '--plot', tmp_path/'v.png')
    assert r.returncode == 0, r.stderr
    assert '8 frames sampled' in r.stdout and 'track 0:' in r.stdout
    assert 'frames' in r.stderr                                           # the progress lines

@pytest.mark.parametrize('make, expected', [
    (lambda p: p, 'no such video file'),
    (lambda p: (p.write_bytes(b''), p)[1], 'empty file'),
    (lambda p: (p.write_text('not a video at all ' * 50), p)[1], 'not a video OpenCV can read'),
])
def test_bad_videos_one_line(tmp_path, make, expected):
    path = make(tmp_path/'bad.mp4')
    r = fer_nb_cli('video', path)
    assert r.returncode == 1 and expected in r.stderr and 'Traceback' not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1

def test_truncated_video(clip, tmp_path):
    data = clip.read_bytes(); cut = tmp_path/'cut.mp4'; cut.write_bytes(data[:len(data) // 2])
    r = fer_nb_cli('video', cut)
    assert r.returncode == 1 and 'bad' not in r.stderr and ('not a video' in r.stderr or 'no frames' in r.stderr) and 'Traceback' not in r.stderr

def test_damaged_frames_are_skipped(real_data, tmp_path):
    "An MJPEG AVI with frames overwritten in the middle: those frames are skipped and counted, the rest analysed."
    import cv2
    path = tmp_path/'mj.avi'; face = cv2.cvtColor(cv2.resize(real_data.x_val[2, :, :, 0], (140, 140)), cv2.COLOR_GRAY2BGR)
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 10, (320, 240))
    for k in range(30):
        f = np.full((240, 320, 3), 90, np.uint8); f[50:190, 90:230] = face; w.write(f)
    w.release()
    data = bytearray(path.read_bytes()); starts = [i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] == 0xD8]
    for s in starts[12:15]: data[s:s + 600] = os.urandom(600)              # three frames in the middle damaged
    path.write_bytes(bytes(data))
    from fer_nb.video import analyze_video
    v = analyze_video(path, fps=10, progress=False)
    assert v['sampled'] + v['skipped'] == 30 and 0 < v['skipped'] <= 3 and v['sampled'] >= 27

@pytest.mark.slow
def test_memory_stays_flat_on_a_long_video(real_data, tmp_path):
    "Peak memory analysing 4 minutes of 1280x720 video is within 60 MB of analysing 20 seconds."
    long_, short = tmp_path/'long.mp4', tmp_path/'short.mp4'
    write_clip(long_, real_data.x_val[2, :, :, 0], seconds=240, fps=4, size=(1280, 720), moving=False)   # every other frame sampled
    write_clip(short, real_data.x_val[2, :, :, 0], seconds=20, fps=4, size=(1280, 720), moving=False)
    # VmHWM (this process's peak RSS) starts afresh at exec; ru_maxrss would carry over pytest's own peak
    script = ("import sys; from fer_nb.video import analyze_video; v = analyze_video(sys.argv[1], fps=2, progress=False); "
              "print(v['sampled'], next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))")
    peak = {}
    for p in (short, long_):
        r = subprocess.run([sys.executable, '-c', script, str(p)], capture_output=True, text=True, timeout=600, env={**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3'})
        assert r.returncode == 0, r.stderr[-2000:]
        n, kb = map(int, r.stdout.split()); peak[p.name] = (n, kb / 1024)
    print(peak)
    assert peak['long.mp4'][0] == 480 and peak['short.mp4'][0] == 40
    assert peak['long.mp4'][1] - peak['short.mp4'][1] < 60 and peak['long.mp4'][1] < 1024

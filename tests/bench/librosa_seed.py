"""librosa peer for `npm run bench:dsp`: the seed pipeline on the same files, timed in one process.

Reads file paths from stdin (one per line); argv[1] is 'plain' (load + seed vector) or 'aug3'
(the seed's x3: original, noisy copy, pitch-shifted noisy copy). Prints one JSON line.
"""
import json
import resource
import sys
import time

import librosa
import numpy as np


def seed_vector(y, sr):
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=2048, hop_length=512)[0]
    rms = librosa.feature.rms(y=y, frame_length=2048, hop_length=512)[0]
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_fft=2048, hop_length=512, n_mfcc=20)
    v = np.hstack([zcr, rms, np.ravel(mfcc.T)])
    v = np.nan_to_num(v)
    return np.pad(v, (0, max(0, 2376 - len(v))))[:2376]


def noise(y, rng):
    amp = 0.035 * rng.uniform() * np.amax(y)
    return y + amp * rng.normal(size=y.shape[0])


def main():
    mode = sys.argv[1]
    paths = [line.strip() for line in sys.stdin if line.strip()]
    rng = np.random.default_rng(0)
    # Warm up (lazy imports, numba, FFT plans) before the clock starts, as the TypeScript side does.
    warm, _ = librosa.load(paths[0], sr=22050, offset=0.6, duration=2.5)
    seed_vector(warm, 22050)
    librosa.effects.pitch_shift(warm, sr=22050, n_steps=0.7)
    started = time.perf_counter()
    cpu_started = time.process_time()
    vectors = 0
    for path in paths:
        y, sr = librosa.load(path, sr=22050, offset=0.6, duration=2.5)
        seed_vector(y, sr)
        vectors += 1
        if mode == 'aug3':
            noisy = noise(y, rng).astype(np.float32)
            seed_vector(noisy, sr)
            seed_vector(librosa.effects.pitch_shift(noisy, sr=sr, n_steps=0.7), sr)
            vectors += 2
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    print(json.dumps({
        'librosa': librosa.__version__,
        'clips': len(paths),
        'vectors': vectors,
        'seconds': seconds,
        'cpuSeconds': cpu_seconds,
        'maxRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()

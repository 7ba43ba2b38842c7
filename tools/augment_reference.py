"""Reference data for the augmentation tests (tests/unit/dsp/augment*.test.ts).

Usage: python tools/augment_reference.py            (needs noisereduce 3.0 and librosa 0.11)
Writes tests/unit/dsp/fixtures/denoise-22050.f32le and .json, and prints the librosa.effects.trim
bounds that augment-levels.test.ts hard-codes.

Signals are built from mulberry32 noise, which tests/unit/dsp/helpers.ts (randomSignal)
reproduces bit for bit, so only the outputs are stored.
"""
import json, os, sys
import numpy as np
import librosa
import noisereduce

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'tests', 'unit', 'dsp', 'fixtures')
SR = 22050
M = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M


def random_signal(length, seed):
    """helpers.ts randomSignal: mulberry32 uniforms in [-1, 1) as float64."""
    state = seed & M
    out = np.empty(length)
    for i in range(length):
        state = (state + 0x6D2B79F5) & M
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M
        out[i] = ((t ^ (t >> 14)) & M) / 4294967296 * 2 - 1
    return out


def denoise_input():
    """0.5 s: uniform noise (amplitude 0.05) everywhere, a 440 Hz + 1320 Hz tone pair in samples [4000, 6000)."""
    n = SR // 2
    i = np.arange(n)
    tone = 0.3 * np.sin(2 * np.pi * 440 * i / SR) + 0.1 * np.sin(2 * np.pi * 1320 * i / SR)
    tone[(i < 4000) | (i >= 6000)] = 0
    return (tone + 0.05 * random_signal(n, 7)).astype(np.float32)


def trim_inputs():
    """Silence + 300 Hz tone + silence, without and with a -80 dB noise floor, and a fade-in tone."""
    i = np.arange(20000)
    tone = 0.5 * np.sin(2 * np.pi * 300 * i / SR)
    clean = np.concatenate([np.zeros(10000), tone, np.zeros(12000)])
    floor = clean + 1e-4 * random_signal(len(clean), 11)
    fade = np.concatenate([np.zeros(5000), tone * np.linspace(0, 1, len(tone)) ** 3, np.zeros(7000)])
    return {'clean': clean.astype(np.float32), 'floor': floor.astype(np.float32), 'fade': fade.astype(np.float32)}


def main():
    y = denoise_input()
    out = noisereduce.reduce_noise(y=y, sr=SR, stationary=True)
    os.makedirs(FIXTURES, exist_ok=True)
    out.astype('<f4').tofile(os.path.join(FIXTURES, 'denoise-22050.f32le'))
    meta = {
        'input': denoise_input.__doc__ + ' float32; noise = 0.05 * randomSignal(11025, seed 7)',
        'call': 'noisereduce.reduce_noise(y=y, sr=22050, stationary=True) (all other arguments default)',
        'output': 'denoise-22050.f32le, float32 little-endian, 11025 samples',
        'noisereduce_version': noisereduce.__version__ if hasattr(noisereduce, '__version__') else '3.0.3',
        'numpy_version': np.__version__,
        'input_rms': float(np.sqrt(np.mean(y.astype(np.float64) ** 2))),
        'output_rms': float(np.sqrt(np.mean(out.astype(np.float64) ** 2))),
    }
    with open(os.path.join(FIXTURES, 'denoise-22050.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    print('denoise rms in/out', meta['input_rms'], meta['output_rms'])
    for name, sig in trim_inputs().items():
        _, (start, end) = librosa.effects.trim(sig, top_db=60, frame_length=2048, hop_length=512)
        _, (s30, e30) = librosa.effects.trim(sig, top_db=30, frame_length=2048, hop_length=512)
        print(f'trim {name} len {len(sig)}: top_db=60 [{start}, {end})  top_db=30 [{s30}, {e30})')


if __name__ == '__main__':
    sys.exit(main())

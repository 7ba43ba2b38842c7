"""Seed-vector parity of our loadAudio output against librosa's references.

Usage: python tools/resample_parity.py DIR   (DIR holds ours-<clip>.f32le from tests/bench/resample-dump.ts)
Computes librosa's zcr, rms and MFCC (the README.json conventions) on both signals and prints the
deltas the resampler is held to: MFCC mean/max |d|, ZCR max |d|, RMS max |d|.
"""
import sys, os
import numpy as np
import librosa

REF = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'reference', 'librosa')
CLIPS = ['03-01-05-02-01-01-01', '03-01-04-01-02-02-02', '03-01-08-02-01-01-07']


def features(y, sr=22050):
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=2048, hop_length=512, center=True)[0]
    rms = librosa.feature.rms(y=y, frame_length=2048, hop_length=512, center=True, pad_mode='constant')[0]
    mel = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=2048, hop_length=512, n_mels=128, pad_mode='constant')
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel, ref=1.0, top_db=80.0), n_mfcc=20)
    return zcr, rms, mfcc


def main(folder):
    for clip in CLIPS:
        ref = np.fromfile(os.path.join(REF, f'ravdess-{clip}.f32le'), dtype='<f4')
        ours = np.fromfile(os.path.join(folder, f'ours-{clip}.f32le'), dtype='<f4')
        zr, rr, mr = features(ref)
        zo, ro, mo = features(ours)
        d = np.abs(mo - mr)
        snr = 10 * np.log10(np.sum(ref.astype(np.float64) ** 2) / np.sum((ref.astype(np.float64) - ours) ** 2))
        print(f'{clip}: len {len(ours)}/{len(ref)} SNR {snr:.2f} dB | MFCC mean {d.mean():.4f} max {d.max():.4f} | '
              f'ZCR max {np.abs(zo - zr).max():.5f} | RMS max {np.abs(ro - rr).max():.2e}')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '/tmp/es-resample')

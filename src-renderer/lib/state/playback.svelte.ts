import type WaveSurfer from 'wavesurfer.js';

/**
 * Play state of the open clip, shared by the waveform (which owns the wavesurfer instance), the
 * transport controls, the spectrogram playhead and the global keys.
 */
export class Playback {
  playing = $state(false);
  currentTimeSec = $state(0);
  durationSec = $state(0);
  ready = $state(false);
  private wavesurfer: WaveSurfer | null = null;

  /** Binds to a wavesurfer instance; returns the unbind for the owner's teardown. */
  attach(wavesurfer: WaveSurfer): () => void {
    this.wavesurfer = wavesurfer;
    this.ready = false;
    this.playing = false;
    this.currentTimeSec = 0;
    const offs = [
      wavesurfer.on('ready', (durationSec) => {
        this.durationSec = durationSec;
        this.ready = true;
      }),
      wavesurfer.on('play', () => (this.playing = true)),
      wavesurfer.on('pause', () => (this.playing = false)),
      wavesurfer.on('finish', () => (this.playing = false)),
      wavesurfer.on('timeupdate', (timeSec) => (this.currentTimeSec = timeSec)),
    ];
    return () => {
      for (const off of offs) off();
      if (this.wavesurfer === wavesurfer) {
        this.wavesurfer = null;
        this.ready = false;
        this.playing = false;
        this.currentTimeSec = 0;
      }
    };
  }

  toggle(): void {
    if (this.wavesurfer === null || !this.ready) return;
    void this.wavesurfer.playPause().catch(() => (this.playing = false));
  }

  seekTo(timeSec: number): void {
    if (this.wavesurfer === null || !this.ready) return;
    this.wavesurfer.setTime(Math.min(this.durationSec, Math.max(0, timeSec)));
  }

  seekBy(deltaSec: number): void {
    this.seekTo(this.currentTimeSec + deltaSec);
  }

  /** Seek to a fraction of the clip (0..1), as a click on the spectrogram does. */
  seekFraction(fraction: number): void {
    this.seekTo(fraction * this.durationSec);
  }
}

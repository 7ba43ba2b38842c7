import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCatalog, type CatalogDb } from '../../../src-main/catalog/db.js';
import type { ProbeInfo } from '../../../src-main/catalog/importer.js';
import { CatalogService } from '../../../src-main/catalog/service.js';
import type { CatalogStore, NewClip } from '../../../src-main/catalog/store.js';
import { EventBus } from '../../../src-main/events.js';
import type { EventMap } from '../../../src-shared/contract/events.js';
import { EMOTIONS } from '../../../src-shared/model/labels.js';

/** ../shared beside the repository (the RAVDESS copy lives in ../shared/data). */
export const SHARED_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared');

export function tempDir(prefix = 'es-catalog-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A probe that reads real headers, independent of src-main/audio: WAV (RIFF "fmt " + "data"
 * chunks) and FLAC (STREAMINFO). Anything else, or a damaged file, rejects with the reason.
 */
export async function headerProbe(path: string): Promise<ProbeInfo> {
  const bytes = await readFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length === 0) throw new Error('empty file');
  const ext = extname(path).toLowerCase();
  if (ext === '.wav') return { ...parseWav(bytes), sha256 };
  if (ext === '.flac') return { ...parseFlac(bytes), sha256 };
  throw new Error(`unsupported format ${ext} (the test probe reads WAV and FLAC)`);
}

function parseWav(bytes: Buffer): Omit<ProbeInfo, 'sha256'> {
  if (bytes.length < 12 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let fmt: { channels: number; sampleRate: number; blockAlign: number } | null = null;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new Error('truncated fmt chunk');
      fmt = { channels: bytes.readUInt16LE(body + 2), sampleRate: bytes.readUInt32LE(body + 4), blockAlign: bytes.readUInt16LE(body + 12) };
      if (fmt.channels === 0 || fmt.sampleRate === 0 || fmt.blockAlign === 0) throw new Error('fmt chunk has zero channels, rate or block size');
    } else if (id === 'data') {
      if (fmt === null) throw new Error('data chunk before fmt chunk');
      if (body + size > bytes.length) throw new Error(`truncated: data chunk claims ${size} bytes, ${bytes.length - body} present`);
      const frames = Math.floor(size / fmt.blockAlign);
      return { format: 'wav', sampleRate: fmt.sampleRate, channels: fmt.channels, frames, durationSec: frames / fmt.sampleRate };
    }
    offset = body + size + (size % 2); // chunks are padded to even sizes
  }
  throw new Error(fmt === null ? 'no fmt chunk' : 'no data chunk');
}

function parseFlac(bytes: Buffer): Omit<ProbeInfo, 'sha256'> {
  if (bytes.length < 4 || bytes.toString('ascii', 0, 4) !== 'fLaC') throw new Error('not a FLAC file');
  if (bytes.length < 8 + 34 || (bytes[4] & 0x7f) !== 0) throw new Error('truncated: no STREAMINFO block');
  const info = 8;
  const sampleRate = (bytes[info + 10] << 12) | (bytes[info + 11] << 4) | (bytes[info + 12] >> 4);
  const channels = ((bytes[info + 12] >> 1) & 0x07) + 1;
  const frames = (bytes[info + 13] & 0x0f) * 2 ** 32 + bytes.readUInt32BE(info + 14);
  if (sampleRate === 0) throw new Error('STREAMINFO sample rate is 0');
  return { format: 'flac', sampleRate, channels, frames, durationSec: frames / sampleRate };
}

/** A 16-bit PCM WAV whose samples depend on `seed`, so that every seed gives different bytes. */
export function writeWav(path: string, options: { seed: number; sampleRate?: number; channels?: number; frames?: number }): void {
  const sampleRate = options.sampleRate ?? 8000;
  const channels = options.channels ?? 1;
  const frames = options.frames ?? 400;
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames * channels; i++) {
    data.writeInt16LE(Math.round(8000 * Math.sin((i * (options.seed + 1) * 2 * Math.PI) / 97)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat([header, data]));
}

/** The "fLaC" marker and a STREAMINFO block (no audio frames: enough for a header probe). */
export function writeFlacHeader(path: string, options: { sampleRate: number; channels: number; frames: number; seed: number }): void {
  const block = Buffer.alloc(34);
  block.writeUInt16BE(4096, 0);
  block.writeUInt16BE(4096, 2);
  block[10] = (options.sampleRate >> 12) & 0xff;
  block[11] = (options.sampleRate >> 4) & 0xff;
  block[12] = ((options.sampleRate & 0x0f) << 4) | ((options.channels - 1) << 1) | 0; // bps 16 → 15: top bit 0
  block[13] = (15 & 0x0f) << 4 | Math.floor(options.frames / 2 ** 32);
  block.writeUInt32BE(options.frames % 2 ** 32, 14);
  block.writeUInt32BE(options.seed, 18); // part of the MD5 field: makes contents differ
  const header = Buffer.from([0x80, 0, 0, 34]); // last metadata block, type 0, length 34
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat([Buffer.from('fLaC', 'ascii'), header, block]));
}

export function writeFile(path: string, contents: Buffer | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, contents);
}

/** A service over a real catalog file, recording every event it emits. */
export interface Harness {
  db: CatalogDb;
  dbPath: string;
  service: CatalogService;
  events: EventBus;
  emitted: { name: keyof EventMap; payload: EventMap[keyof EventMap] }[];
  close(): void;
}

export function openHarness(dbPath: string, probe = headerProbe, extra: Partial<ConstructorParameters<typeof CatalogService>[0]> = {}): Harness {
  const db = openCatalog(dbPath);
  const events = new EventBus();
  const emitted: Harness['emitted'] = [];
  events.onAny((name, payload) => emitted.push({ name, payload }));
  const service = new CatalogService({ db, events, probe, ...extra });
  return { db, dbPath, service, events, emitted, close: () => db.close() };
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same catalog. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Plausible RAVDESS-like metadata for clip number `index` (no file behind it): for query tests
 * and the benchmark, inserted straight through the store. Some clips have no actor or intensity,
 * like a folder-labelled dataset, and a few paths carry % and _ to exercise LIKE escaping.
 */
export function syntheticClip(index: number, datasetId: number, random: () => number): NewClip {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const emotion = 1 + Math.floor(random() * 8);
  const actor = 1 + Math.floor(random() * 24);
  const intensity = emotion === 1 ? 1 : pick([1, 2]);
  const vocal = pick([1, 1, 1, 2]);
  const statement = pick([1, 2]);
  const repetition = pick([1, 2]);
  const anonymous = random() < 0.05;
  const pad = (n: number) => String(n).padStart(2, '0');
  const name = `03-${pad(vocal)}-${pad(emotion)}-${pad(intensity)}-${pad(statement)}-${pad(repetition)}-${pad(actor)}`;
  const folder = anonymous ? pick(['misc', 'odd%dir', 'under_score']) : `Actor_${pad(actor)}`;
  const relPath = `${folder}/${name}.${index}.${pick(['wav', 'WAV', 'flac'])}`;
  const sampleRate = pick([16000, 22050, 48000]);
  const durationSec = Math.round((2.5 + random() * 3) * 1000) / 1000;
  return {
    datasetId,
    path: `/corpus/ds${datasetId}/${relPath}`,
    relPath,
    contentHash: createHash('sha256').update(`${datasetId}:${index}`).digest('hex'),
    format: relPath.endsWith('flac') ? 'flac' : 'wav',
    sampleRate,
    channels: 1,
    frames: Math.round(durationSec * sampleRate),
    durationSec,
    actor: anonymous ? null : actor,
    speaker: anonymous ? null : `actor-${pad(actor)}`,
    gender: anonymous ? null : actor % 2 === 1 ? 'male' : 'female',
    vocalChannel: anonymous ? null : vocal === 1 ? 'speech' : 'song',
    intensity: anonymous ? null : intensity === 1 ? 'normal' : 'strong',
    statement: anonymous ? null : statement,
    repetition: anonymous ? null : repetition,
    label: EMOTIONS[emotion - 1],
  };
}

/** Inserts `count` synthetic clips (each with its import label event) into a new dataset. */
export function fillCatalog(store: CatalogStore, count: number, seed: number, rootPath = `/corpus/ds-${seed}`): number {
  const random = rng(seed);
  return store.transaction(() => {
    const datasetId = store.insertDataset({ name: `synthetic-${seed}`, rootPath, kind: 'ravdess', createdAt: new Date().toISOString() });
    const at = new Date().toISOString();
    for (let i = 0; i < count; i++) {
      const clip = syntheticClip(i, datasetId, random);
      const clipId = store.insertClip(clip);
      store.insertLabelEvent({ clipId, oldLabel: null, newLabel: clip.label, oldSource: null, source: 'import', action: 'set', revertsEventId: null, at, onStack: false });
    }
    return datasetId;
  });
}

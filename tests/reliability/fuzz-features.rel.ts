import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { computeFeatureSet, FEATURE_SET_SHAPES, LOGMEL_FRAMES, SEED_LENGTH, seed2376 } from '../../src-shared/dsp/seed.js';
import { envNumber, rng, runSeed } from './helpers.js';

/**
 * Property-based fuzzing of the feature pipeline (src-shared/dsp/seed.ts): for ANY signal of 0 to
 * 100,000 samples (noise, tones, silence, DC, impulses, square waves, tiny and huge amplitudes,
 * with NaN and +-Infinity dropped in) at any rate the pipelines allow, seed2376 has 2376 finite
 * values and the log-mel sets have their fixed shape, all finite. Signals are synthesised from a
 * generated recipe (a 100k-sample array of fast-check floats would dominate the run); a third
 * property feeds short arrays of arbitrary floats straight from fast-check, so it shrinks.
 */

const SCALE = envNumber('RELIABILITY_FUZZ_SCALE', 1);
const SEED = runSeed();
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const times = new Map<string, { cases: number; ms: number }>();
let samplesSeen = 0;

const KINDS = ['noise', 'sine', 'silence', 'dc', 'impulses', 'square', 'chirp'] as const;
const recipeArb = fc.record({
  // Mostly short (where frame counts change fastest), a good share up to the 100k limit.
  length: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 4096 }) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 100_000 }) }),
  kind: fc.constantFrom(...KINDS),
  amplitude: fc.oneof(fc.constantFrom(0, 1e-38, 1e-20, 1e-3, 0.5, 1, 2, 1e3, 1e20, 3e38), fc.double({ min: -10, max: 10, noNaN: true })),
  seed: fc.integer(),
  nonFinite: fc.array(fc.tuple(fc.nat(), fc.constantFrom(Number.NaN, Infinity, -Infinity)), { maxLength: 4 }),
  double: fc.boolean(),
  sr: fc.oneof({ weight: 4, arbitrary: fc.constant(22_050) }, { weight: 1, arbitrary: fc.constantFrom(8000, 16_000, 44_100, 48_000) }),
});
type Recipe = typeof recipeArb extends fc.Arbitrary<infer R> ? R : never;

function synthesise(recipe: Recipe): Float32Array | Float64Array {
  const y = recipe.double ? new Float64Array(recipe.length) : new Float32Array(recipe.length);
  const random = rng(recipe.seed);
  const a = recipe.amplitude;
  const f = 20 + random() * 8000;
  for (let i = 0; i < y.length; i++) {
    switch (recipe.kind) {
      case 'noise':
        y[i] = a * (2 * random() - 1);
        break;
      case 'sine':
        y[i] = a * Math.sin((2 * Math.PI * f * i) / recipe.sr);
        break;
      case 'silence':
        y[i] = 0;
        break;
      case 'dc':
        y[i] = a;
        break;
      case 'impulses':
        y[i] = random() < 0.001 ? a : 0;
        break;
      case 'square':
        y[i] = Math.sin((2 * Math.PI * f * i) / recipe.sr) >= 0 ? a : -a;
        break;
      case 'chirp':
        y[i] = a * Math.sin((Math.PI * f * i * i) / (recipe.sr * Math.max(1, y.length)));
        break;
    }
  }
  if (y.length > 0) for (const [at, value] of recipe.nonFinite) y[at % y.length] = value;
  return y;
}

function expectFinite(values: Float32Array, what: string): void {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw new Error(`${what}[${i}] = ${values[i]}`);
}

async function timed(name: string, cases: number, body: () => void): Promise<void> {
  const started = performance.now();
  body();
  times.set(name, { cases, ms: performance.now() - started });
}

describe('feature pipeline fuzzing', () => {
  afterAll(() => {
    const total = [...times.values()].reduce((n, t) => n + t.cases, 0);
    console.log(
      `fuzz-features: seed ${SEED}, ${total} cases, ${(samplesSeen / 1e6).toFixed(1)} M samples\n` +
        [...times].map(([name, t]) => `  ${name}: ${t.cases} cases in ${(t.ms / 1000).toFixed(1)} s`).join('\n'),
    );
  });

  it('seed2376 of any signal: 2376 values, all finite', async () => {
    const n = runs(5000);
    await timed('seed-2376', n, () =>
      fc.assert(
        fc.property(recipeArb, (recipe) => {
          const y = synthesise(recipe);
          samplesSeen += y.length;
          const out = seed2376(y, recipe.sr);
          expect(out.length).toBe(SEED_LENGTH);
          expectFinite(out, 'seed2376');
        }),
        { numRuns: n, seed: SEED },
      ),
    );
  });

  it('logmel-64 and logmel-128 of any signal: the fixed shape, all finite, within [-topDb, 0] dB when the input is finite', async () => {
    const n = runs(2500);
    await timed('logmel-64/128', n, () =>
      fc.assert(
        fc.property(recipeArb, fc.constantFrom('logmel-64' as const, 'logmel-128' as const), (recipe, name) => {
          const y = synthesise(recipe);
          samplesSeen += y.length;
          const set = computeFeatureSet(name, y, recipe.sr);
          expect(set.shape).toEqual([...FEATURE_SET_SHAPES[name]]);
          expect(set.values.length).toBe(set.shape[0] * LOGMEL_FRAMES);
          expectFinite(set.values, name);
          if (recipe.nonFinite.length === 0 && Math.abs(recipe.amplitude) < 1e18) {
            for (const v of set.values) if (!(v <= 0 && v >= -80 - 1e-3)) throw new Error(`${name} value ${v} outside [-80, 0] dB`);
          }
        }),
        { numRuns: n, seed: SEED + 1 },
      ),
    );
  });

  it('short arrays of arbitrary floats (NaN, +-Infinity, -0, subnormals) through every feature set', async () => {
    const n = runs(2500);
    await timed('arbitrary short floats', n, () =>
      fc.assert(
        fc.property(fc.array(fc.double(), { maxLength: 3000 }), fc.constantFrom('seed-2376' as const, 'logmel-64' as const, 'logmel-128' as const), (values, name) => {
          samplesSeen += values.length;
          const set = computeFeatureSet(name, Float64Array.from(values));
          expect(set.values.length).toBe(set.shape.reduce((a, b) => a * b, 1));
          expectFinite(set.values, name);
        }),
        { numRuns: n, seed: SEED + 2 },
      ),
    );
  });
});

import { inferModelShapes } from '../../src-shared/model/model-spec.js';
import { DEFAULT_PRESET, MODEL_PRESETS } from '../../src-shared/model/presets.js';

/** One preset as `models --json` prints it. */
export interface ModelListing {
  name: string;
  title: string;
  description: string;
  featureSet: string;
  inputShape: number[];
  /** Per model; an ensemble preset trains `members` of them. */
  params: { total: number; trainable: number; nonTrainable: number };
  members: number;
  default: boolean;
}

/** Every preset with its parameter counts, from the pure shape inference (no tfjs to load). */
export function listModels(): ModelListing[] {
  return Object.values(MODEL_PRESETS).map((preset) => {
    const { total, trainable, nonTrainable } = inferModelShapes(preset.spec);
    return {
      name: preset.name,
      title: preset.title,
      description: preset.description,
      featureSet: preset.featureSet,
      inputShape: [...preset.spec.inputShape],
      params: { total, trainable, nonTrainable },
      members: preset.defaults.members,
      default: preset.name === DEFAULT_PRESET,
    };
  });
}

/** `emotion-studio models [--json]`: the model presets, as an aligned table or one JSON array. */
export async function runModels(json: boolean): Promise<number> {
  const models = listModels();
  if (json) {
    console.log(JSON.stringify(models));
    return 0;
  }
  const count = (n: number) => n.toLocaleString('en-US');
  const rows = [
    ['name', 'features', 'input', 'params', 'trainable', 'non-trainable', 'members', 'title'],
    ...models.map((m) => [
      `${m.name}${m.default ? ' *' : ''}`,
      m.featureSet,
      m.inputShape.join('×'),
      count(m.params.total),
      count(m.params.trainable),
      count(m.params.nonTrainable),
      String(m.members),
      m.title,
    ]),
  ];
  // Counts align right so their digits line up; text aligns left.
  const numeric = [false, false, false, true, true, true, true, false];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) {
    const cells = row.map((cell, column) =>
      column === row.length - 1 ? cell : numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
    );
    console.log(cells.join('  '));
  }
  console.log(`* default (${DEFAULT_PRESET})`);
  return 0;
}

import { trainingConfigSchema, type TrainingConfigInput } from '../../../src-shared/model/training-config.js';
import { configKeyName } from './config-diff.js';

/**
 * What is wrong with a config, one sentence per field in plain words ("Learning rate: more than
 * 0"), by the contract's own schema, so the form refuses what the studio would refuse.
 */
export function configProblems(config: TrainingConfigInput): string[] {
  const parsed = trainingConfigSchema.safeParse(config);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.');
    return `${key === '' ? 'Settings' : configKeyName(key)}: ${plainIssue(issue.message)}`;
  });
}

/** zod's wording, made to read as a sentence about the field. */
export function plainIssue(message: string): string {
  if (/received NaN|received null|received undefined/i.test(message)) return 'a number is needed';
  return message
    .replace(/^Too small: expected number to be >=/, 'at least ')
    .replace(/^Too small: expected number to be >/, 'more than ')
    .replace(/^Too big: expected number to be <=/, 'at most ')
    .replace(/^Too big: expected number to be </, 'less than ')
    .replace(/^Invalid input: expected int, received number$/, 'a whole number is needed');
}

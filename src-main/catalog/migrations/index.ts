import { migration001 } from './001-initial.js';
import { migration002 } from './002-browse-indices.js';
import { migration003 } from './003-feature-cache.js';
import { migration004 } from './004-training-runs.js';
import { migration005 } from './005-augment-recipes.js';
import { migration006 } from './006-ensemble-members.js';
import type { Migration } from './types.js';

export type { Migration } from './types.js';

/** Every migration in version order; static imports so that the bundler sees them all. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006];

import type { Intent } from './intent-types.js';

export function ignore(reason: string): Intent {
  return { kind: 'ignore', reason };
}

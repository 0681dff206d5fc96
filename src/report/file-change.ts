/** One file of a pushed change as the report lists it: git's own numstat (see git/staged-change.ts). */
export interface FileChange {
  path: string;
  added: number;
  removed: number;
  binary: boolean;
}

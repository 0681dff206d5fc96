import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalTagFile, TAG_FILE, type LocalTag } from '../../src/sandbox/local-tag.js';

describe("the local sandbox's tag file writer", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'issuesmith-local-tag-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = (): LocalTag => JSON.parse(readFileSync(join(dir, TAG_FILE), 'utf8')) as LocalTag;

  it('ends with the latest state when saves come while a write is under way', async () => {
    const pids: number[] = [];
    const tag = new LocalTagFile(dir, () => ({ id: 'local-1', pids: [...pids] }));
    const saves: Array<Promise<void>> = [];
    for (let pid = 1; pid <= 5; pid += 1) {
      pids.push(pid);
      saves.push(tag.save());
    }
    await Promise.all(saves);
    expect(read()).toEqual({ id: 'local-1', pids: [1, 2, 3, 4, 5] });
  });

  it('resolves a save once the file holds the state as of that save', async () => {
    let pids = [1];
    const tag = new LocalTagFile(dir, () => ({ id: 'local-1', pids }));
    void tag.save();
    pids = [1, 2];
    await tag.save();
    expect(read().pids).toEqual([1, 2]);
  });

  it('writes nothing once closed, and its close waits for a write under way', async () => {
    const tag = new LocalTagFile(dir, () => ({ id: 'local-1', pids: [] }));
    void tag.save();
    await tag.close();
    expect(existsSync(join(dir, TAG_FILE))).toBe(true);
    rmSync(join(dir, TAG_FILE));
    await tag.save();
    expect(existsSync(join(dir, TAG_FILE))).toBe(false);
  });
});

import nock from 'nock';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';

/**
 * A strict nock harness: no real network but loopback, and after each test it fails on mocks that
 * were never called and on requests nothing was set up for. The files of a worker share nock (vitest's
 * `isolate: false`): after the file, the network is as nock found it.
 */
export function useStrictNock(): { unexpected: string[] } {
  const state = { unexpected: [] as string[] };
  const onNoMatch = (req: { method?: string; path?: string; href?: string; options?: { href?: string } }): void => {
    state.unexpected.push(`${req.method ?? '?'} ${req.href ?? req.options?.href ?? req.path ?? '?'}`);
  };
  beforeEach(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
    state.unexpected.length = 0;
    nock.emitter.on('no match', onNoMatch);
  });
  afterEach(() => {
    nock.emitter.removeListener('no match', onNoMatch);
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(state.unexpected, 'requests nothing was set up for').toEqual([]);
    expect(pending, 'mocks that were never called').toEqual([]);
  });
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  return state;
}

import { describe, expect, it } from 'vitest';
import { readStateMarker, renderStateMarker, sealedMarker, type PullRequestState } from '../../src/github/state-marker.js';
import { stateKeyFromEnv } from '../../src/config/state-key.js';
import { privateKey } from '../helpers/probot.js';
import { createPrivateKey } from 'node:crypto';

const key = Buffer.alloc(32, 9);
const seal = { key, installation: 42, repo: 'Octo/Repo' };
const state: PullRequestState = { v: 1, repo: 'Octo/Repo', issue: 1, profile: 'claude', branch: 'issuesmith/1-x', session: 's-1', sandbox: 'sbx-mine', turns: 1 };

describe('signed state markers', () => {
  it('reads back a marker the app signed, for the same installation and repository (in any case)', () => {
    const marker = renderStateMarker(state, seal);
    expect(marker).toMatch(/^<!-- issuesmith:state \{.*\} sha256=[0-9a-f]{64} -->$/);
    expect(readStateMarker(`Done.\n\n${marker}`, seal)).toEqual({ kind: 'ok', state });
    expect(readStateMarker(marker, { ...seal, repo: 'octo/repo', installation: '42' })).toEqual({ kind: 'ok', state });
  });

  it('ignores a marker hand-written into the body: valid JSON without a signature, or with a wrong one', () => {
    const json = JSON.stringify({ ...state, sandbox: 'sbx-victim' });
    const unsigned = readStateMarker(`<!-- issuesmith:state ${json} -->`, seal);
    expect(unsigned).toEqual({ kind: 'invalid', reason: 'the state marker is not signed' });
    const wrong = readStateMarker(`<!-- issuesmith:state ${json} sha256=${'0'.repeat(64)} -->`, seal);
    expect(wrong.kind).toBe('invalid');
    expect(wrong.kind === 'invalid' && wrong.reason).toMatch(/signature does not match/);
  });

  it('ignores a marker whose JSON was edited after signing', () => {
    const edited = renderStateMarker(state, seal).replace('sbx-mine', 'sbx-victim');
    expect(readStateMarker(edited, seal).kind).toBe('invalid');
  });

  it('ignores a marker signed for another installation or another repository', () => {
    expect(readStateMarker(renderStateMarker(state, { ...seal, installation: 43 }), seal).kind).toBe('invalid');
    expect(readStateMarker(renderStateMarker(state, { ...seal, repo: 'Octo/Other' }), seal).kind).toBe('invalid');
    expect(readStateMarker(renderStateMarker(state, { ...seal, key: Buffer.alloc(32, 8) }), seal).kind).toBe('invalid');
  });

  it('trusts no marker without a key', () => {
    expect(readStateMarker(renderStateMarker(state, seal), undefined).kind).toBe('invalid');
  });

  it('uses the last validly signed marker of the body, never the first textual match', () => {
    const forged = `<!-- issuesmith:state ${JSON.stringify({ ...state, sandbox: 'sbx-victim' })} -->`;
    const older = renderStateMarker({ ...state, sandbox: 'sbx-old' }, seal);
    const real = renderStateMarker(state, seal);
    const body = `> I fixed it: \`${forged}\`\n\n${older}\n\n${real}\n\n${forged}`;
    expect(readStateMarker(body, seal)).toEqual({ kind: 'ok', state });
  });

  it('reads a signed marker whose values hold `-->` or `<!--`, escaped so the comment cannot close early', () => {
    const tricky = { ...state, branch: 'a-->b<!--c' };
    const marker = renderStateMarker(tricky, seal);
    expect(marker.slice(0, -4)).not.toContain('-->');
    expect(readStateMarker(marker, seal)).toEqual({ kind: 'ok', state: tricky });
  });

  it('still tells a broken signed marker from none', () => {
    expect(readStateMarker('plain', seal)).toEqual({ kind: 'none' });
    expect(readStateMarker(sealedMarker('{"v":2}', seal), seal).kind === 'invalid').toBe(true);
    expect(readStateMarker('<!-- issuesmith:state {"v":1', seal)).toEqual({ kind: 'invalid', reason: 'the state marker is not closed' });
  });
});

describe('the state key', () => {
  it('comes from ISSUESMITH_STATE_KEY when set, else from the private key however it is written', () => {
    const pem = privateKey();
    const fromEnv = stateKeyFromEnv({ ISSUESMITH_STATE_KEY: 'k'.repeat(40), PRIVATE_KEY: pem });
    expect(fromEnv.source).toBe('ISSUESMITH_STATE_KEY');
    const fromPem = stateKeyFromEnv({ PRIVATE_KEY: pem });
    expect(fromPem.source).toBe('PRIVATE_KEY');
    expect(Buffer.from(fromPem.key).equals(Buffer.from(fromEnv.key))).toBe(false);
    // Escaped newlines, base64 or PKCS#8: the same key, so every process of one app agrees.
    const pkcs8 = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const written of [pem.replace(/\n/g, '\\n'), Buffer.from(pem).toString('base64'), pkcs8]) {
      expect(Buffer.from(stateKeyFromEnv({ PRIVATE_KEY: written }).key).equals(Buffer.from(fromPem.key))).toBe(true);
    }
    // Never the private key itself.
    expect(Buffer.from(fromPem.key).toString('utf8')).not.toContain('PRIVATE KEY');
  });

  it('is this process’s own when no secret is configured', () => {
    const a = stateKeyFromEnv({});
    expect(a.source).toBe('ephemeral');
    expect(a.key.byteLength).toBe(32);
  });
});

import { describe, expect, it } from 'vitest';
import { planKeyless } from '../../src/sandbox/e2b-keyless.js';
import { e2bProviderOptionsFromEnv } from '../../src/sandbox/e2b.js';

describe('planKeyless', () => {
  it.each([
    ['ANTHROPIC_API_KEY', 'api.anthropic.com', 'x-api-key', 'k-1', /^sk-ant-api03-[\w-]{80,}AA$/],
    ['OPENAI_API_KEY', 'api.openai.com', 'Authorization', 'Bearer k-1', /^sk-proj-[\w-]{150,}$/],
    ['CODEX_API_KEY', 'api.openai.com', 'Authorization', 'Bearer k-1', /^sk-proj-[\w-]{150,}$/],
    ['AMP_API_KEY', 'ampcode.com', 'Authorization', 'Bearer k-1', /^sgamp_user_[0-9A-Z]{26}_[0-9a-f]{64}$/],
    ['GEMINI_API_KEY', 'generativelanguage.googleapis.com', 'x-goog-api-key', 'k-1', /^AIza[\w-]{35}$/],
  ])('sends %s to %s as %s, and puts a placeholder of its shape in the sandbox', (name, host, header, value, shape) => {
    const plan = planKeyless({ [name]: 'k-1', LANG: 'C.UTF-8' });
    expect(plan.rules).toEqual({ [host]: [{ transform: { headers: { [header]: value } } }] });
    expect(plan.envs[name]).toMatch(shape);
    expect(plan.envs.LANG).toBe('C.UTF-8');
    expect(plan.placeholders).toEqual({ [name]: plan.envs[name] });
  });

  it('gives every sandbox its own placeholder', () => {
    expect(planKeyless({ AMP_API_KEY: 'k' }).envs.AMP_API_KEY).not.toBe(planKeyless({ AMP_API_KEY: 'k' }).envs.AMP_API_KEY);
  });

  it('follows a base URL variable to the host the agent really calls', () => {
    const plan = planKeyless({ OPENAI_API_KEY: 'k-2', OPENAI_BASE_URL: 'https://Gateway.example.com/v1' });
    expect(plan.rules).toEqual({ 'gateway.example.com': [{ transform: { headers: { Authorization: 'Bearer k-2' } } }] });
    expect(plan.envs.OPENAI_BASE_URL).toBe('https://Gateway.example.com/v1');
  });

  it('puts keys for different hosts in their own rules', () => {
    const plan = planKeyless({ ANTHROPIC_API_KEY: 'a', GEMINI_API_KEY: 'g' });
    expect(Object.keys(plan.rules).sort()).toEqual(['api.anthropic.com', 'generativelanguage.googleapis.com']);
  });

  it('uses the first of two keys for the same header of the same host, and says so', () => {
    const plan = planKeyless({ CODEX_API_KEY: 'c', OPENAI_API_KEY: 'o' });
    expect(plan.rules).toEqual({ 'api.openai.com': [{ transform: { headers: { Authorization: 'Bearer c' } } }] });
    expect(plan.shadowed).toEqual(['OPENAI_API_KEY']);
    expect(plan.envs.OPENAI_API_KEY).not.toBe('o');
  });

  it('leaves keys of unknown hosts as they are, and lists them', () => {
    const plan = planKeyless({ OPENROUTER_API_KEY: 'r', GH_TOKEN: 't', GIT_TERMINAL_PROMPT: '0' });
    expect(plan.rules).toEqual({});
    expect(plan.envs).toEqual({ OPENROUTER_API_KEY: 'r', GH_TOKEN: 't', GIT_TERMINAL_PROMPT: '0' });
    expect(plan.unhandled).toEqual(['OPENROUTER_API_KEY', 'GH_TOKEN']);
  });

  it('skips an empty key', () => {
    expect(planKeyless({ ANTHROPIC_API_KEY: '' })).toMatchObject({ rules: {}, envs: { ANTHROPIC_API_KEY: '' } });
  });
});

describe('e2bProviderOptionsFromEnv', () => {
  it('keeps keys out by default; ISSUESMITH_E2B_KEYLESS=false turns it off, ISSUESMITH_E2B_KEYLESS_EXCEPT for some agents', () => {
    expect(e2bProviderOptionsFromEnv({})).toEqual({ keyless: true, keyInSandbox: [] });
    expect(e2bProviderOptionsFromEnv({ ISSUESMITH_E2B_KEYLESS: 'true' })).toEqual({ keyless: true, keyInSandbox: [] });
    expect(e2bProviderOptionsFromEnv({ ISSUESMITH_E2B_KEYLESS: 'false' })).toEqual({ keyless: false, keyInSandbox: [] });
    expect(e2bProviderOptionsFromEnv({ ISSUESMITH_E2B_KEYLESS_EXCEPT: ' amp ,codex' })).toEqual({ keyless: true, keyInSandbox: ['amp', 'codex'] });
  });
});

import { describe, expect, it } from 'vitest';
import { claude } from '../../src/agents/claude.js';
import { codex } from '../../src/agents/codex.js';
import { failureMessage, missingKeyMessage } from '../../src/agents/failure-message.js';
import { classifyFailureText } from '../../src/agents/failure-reason.js';
import { opencode } from '../../src/agents/opencode.js';

describe('failure messages', () => {
  it('names the rejected key, so the maintainer knows which variable to check', () => {
    expect(failureMessage(codex, 'auth')).toBe("Codex's API key was rejected: check `CODEX_API_KEY` in the app's environment.");
    expect(failureMessage(opencode, 'auth')).toBe("OpenCode's API key was rejected: check `ANTHROPIC_API_KEY`, `OPENAI_API_KEY` or `GEMINI_API_KEY` in the app's environment.");
  });

  it('says what to do for each other reason', () => {
    expect(failureMessage(claude, 'rate_limit')).toBe('Claude Code was rate limited by its model provider: wait a few minutes and ask again, or raise the limits of its API key.');
    expect(failureMessage(claude, 'max_turns')).toBe('Claude Code ran out of turns before it finished: comment again to let it continue, or ask for a smaller change.');
    expect(failureMessage(codex, 'timeout')).toBe('Codex ran out of time and was stopped: comment again to let it continue, or ask for a smaller change.');
    expect(failureMessage(codex, 'crash')).toBe("Codex stopped with an error before it finished: try again, and if it keeps failing, check the app's logs.");
  });

  it("quotes the agent's own words on one line, backticks made harmless", () => {
    expect(failureMessage(codex, 'crash', "thread 'main' panicked at `lib.rs`\nstack backtrace:")).toBe(
      "Codex stopped with an error before it finished: try again, and if it keeps failing, check the app's logs. It said: `thread 'main' panicked at 'lib.rs'`",
    );
    expect(failureMessage(codex, 'crash', '  \n')).not.toContain('It said');
  });

  it('asks for the missing key, or for one of the alternatives', () => {
    expect(missingKeyMessage(codex)).toBe("Codex needs `CODEX_API_KEY` in the app's environment.");
    expect(missingKeyMessage(opencode)).toBe("OpenCode needs one of `ANTHROPIC_API_KEY`, `OPENAI_API_KEY` or `GEMINI_API_KEY` in the app's environment.");
  });
});

describe("reading an agent's failure text", () => {
  it.each([
    ['unexpected status 401 Unauthorized: mock forced 401, url: http://127.0.0.1:40021/v1/responses', 'auth'],
    ['Invalid API key · Please run /login', 'auth'],
    ['Error: not logged in', 'auth'],
    ['exceeded retry limit, last status: 429 Too Many Requests', 'rate_limit'],
    ['Overloaded', 'rate_limit'],
    ['Reached maximum number of turns (1)', 'max_turns'],
    ['Agent run timed out', 'timeout'],
    ["thread 'main' panicked at exec/src/lib.rs:1:1", 'crash'],
    ['listening on 127.0.0.1:40121', 'crash'],
  ] as const)('%s → %s', (text, reason) => {
    expect(classifyFailureText(text)).toBe(reason);
  });

  it('takes an HTTP status over the text', () => {
    expect(classifyFailureText('mock forced', 401)).toBe('auth');
    expect(classifyFailureText('request failed', 429)).toBe('rate_limit');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_TEXT, startModelServer, type ModelServer } from '../../test-agents/model-server.js';

// The scripted model the conformance suite (npm run test:agents) runs the real CLIs against.
let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer();
});
afterAll(() => server.close());

const post = (path: string, body: unknown): Promise<Response> =>
  fetch(`${server.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The `data:` payloads of a server-sent event stream. */
async function events(res: Response): Promise<Array<Record<string, unknown>>> {
  const text = await res.text();
  return [...text.matchAll(/^data: (.+)$/gm)].flatMap((m) => (m[1] === '[DONE]' ? [] : [JSON.parse(m[1] ?? '{}') as Record<string, unknown>]));
}

const prompt = 'Fix it.\nconformance: write /w/hello.txt hello there';

describe('the scripted model', () => {
  it('asks an Anthropic client to write the file the prompt names, by its tool schema, then finishes', async () => {
    const tools = [{ name: 'Write', input_schema: { properties: { file_path: {}, content: {} } } }];
    const first = await events(await post('/ok/v1/messages', { stream: true, tools, messages: [{ role: 'user', content: prompt }] }));
    const start = first.find((e) => e.type === 'content_block_start') as { content_block: { type: string; name: string } };
    expect(start.content_block).toMatchObject({ type: 'tool_use', name: 'Write' });
    const delta = first.find((e) => e.type === 'content_block_delta') as { delta: { partial_json: string } };
    expect(JSON.parse(delta.delta.partial_json)).toEqual({ file_path: '/w/hello.txt', content: 'hello there' });
    const messages = [
      { role: 'user', content: prompt },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Write', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] },
    ];
    const second = await events(await post('/ok/v1/messages', { stream: true, tools, messages }));
    expect(second.some((e) => (e.delta as { text?: string } | undefined)?.text === FINAL_TEXT)).toBe(true);
  });

  it('reads the prompt from every user message since the model last spoke, and calls a chat tool by its own argument names', async () => {
    const tools = [{ type: 'function', function: { name: 'write', parameters: { properties: { filePath: {}, content: {} } } } }];
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: prompt },
      { role: 'user', content: 'run context' },
    ];
    const chunks = await events(await post('/ok/v1/chat/completions', { stream: true, tools, messages }));
    const call = chunks.flatMap((c) => (c.choices as Array<{ delta: { tool_calls?: Array<{ function: { arguments: string } }> } }>) ?? [])[1]?.delta.tool_calls?.[0];
    expect(JSON.parse(call?.function.arguments ?? '{}')).toEqual({ filePath: '/w/hello.txt', content: 'hello there' });
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 17, completion_tokens: 6 });
  });

  it('offers Codex its shell when no apply_patch tool is there, and records every request', async () => {
    const tools = [{ type: 'function', name: 'exec_command' }];
    const out = await events(await post('/ok/v1/responses', { stream: true, tools, input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt }] }] }));
    const item = out.find((e) => e.type === 'response.output_item.done')?.item as { name: string; arguments: string };
    expect(item.name).toBe('exec_command');
    expect(JSON.parse(item.arguments)).toEqual({ cmd: "printf %s 'hello there' > '/w/hello.txt'" });
    expect(server.requests.at(-1)).toMatchObject({ scenario: 'ok', api: 'responses', path: '/v1/responses' });
  });

  it('rejects the key under /401 and rate-limits under /429, in each API’s error shape', async () => {
    const auth = await post('/401/v1/messages', { messages: [] });
    expect(auth.status).toBe(401);
    expect(await auth.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const limited = await post('/429/v1/chat/completions', { messages: [] });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
  });
});

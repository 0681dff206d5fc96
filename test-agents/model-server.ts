import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted model on loopback, speaking the three APIs the agent CLIs call: Anthropic Messages,
 * OpenAI Responses and OpenAI Chat Completions, streamed as server-sent events. It answers from the
 * request alone, so any number of runs can share it:
 *
 * - a request that offers tools and whose last message is the user's asks for one tool call that
 *   writes the file a `conformance: write <path> <content>` line of the prompt names;
 * - a request whose last message is a tool's result gets the final text `Done: I created the file.`;
 * - a request without tools (a title or summary on the side) gets a short text.
 *
 * The first path segment is the scenario: `/ok/...` answers as above, `/401/...` rejects the key and
 * `/429/...` is rate limited, each in the API's own error shape. Every request is recorded.
 */
export interface ModelRequest {
  scenario: string;
  api: 'anthropic' | 'responses' | 'chat' | 'other';
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export const FINAL_TEXT = 'Done: I created the file.';
export const SIDE_TEXT = 'Create the requested file';
const DIRECTIVE = /conformance: write (\S+) (.+)/;

// Tokens each answer reports, per API (the captured samples' figures).
const USAGE = {
  anthropic: { input: 11, output: 7 },
  responses: { input: 13, output: 5 },
  chat: { input: 17, output: 6 },
};

export interface ModelServer {
  /** `http://127.0.0.1:<port>`; add `/<scenario>` for a base URL. */
  origin: string;
  requests: ModelRequest[];
  close(): Promise<void>;
}

export async function startModelServer(): Promise<ModelServer> {
  const requests: ModelRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'), requests);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(err) } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, raw: string, requests: ModelRequest[]): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const [, scenario = '', ...rest] = url.pathname.split('/');
  const path = `/${rest.join('/')}`;
  const body = parseBody(raw);
  const api = path.endsWith('/messages') ? 'anthropic' : path.endsWith('/responses') ? 'responses' : path.endsWith('/chat/completions') ? 'chat' : 'other';
  requests.push({ scenario, api, method: req.method ?? 'GET', path, headers: req.headers, body });
  if (req.method === 'GET' && path.endsWith('/models')) return json(res, 200, { object: 'list', data: [{ id: 'mock-model', object: 'model', created: 0, owned_by: 'mock' }] });
  if (api === 'other') return json(res, 404, { error: { message: `no such endpoint: ${path}` } });
  if (scenario === '401' || scenario === '429') return refuse(res, api, Number(scenario));
  const b = (body ?? {}) as Record<string, unknown>;
  if (api === 'anthropic') return anthropic(res, b);
  if (api === 'responses') return responses(res, b);
  return chat(res, b);
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
}

function refuse(res: ServerResponse, api: ModelRequest['api'], status: number): void {
  const message = `mock forced ${status}`;
  // Retry at once: the clients' backoff would only make the run slower.
  const headers: Record<string, string> = status === 429 ? { 'retry-after': '0', 'retry-after-ms': '0' } : {};
  if (api === 'anthropic') {
    return json(res, status, { type: 'error', error: { type: status === 401 ? 'authentication_error' : 'rate_limit_error', message } }, headers);
  }
  const code = status === 401 ? 'invalid_api_key' : 'rate_limit_exceeded';
  return json(res, status, { error: { message, type: status === 401 ? 'invalid_request_error' : 'requests', code } }, headers);
}

interface Step {
  kind: 'tool' | 'final' | 'side';
  path?: string;
  content?: string;
}

/** What to answer, from the last message and whether tools are offered. */
function decide(hasTools: boolean, lastIsToolResult: boolean, userText: string): Step {
  if (!hasTools) return { kind: 'side' };
  if (lastIsToolResult) return { kind: 'final' };
  const m = DIRECTIVE.exec(userText);
  if (m === null) return { kind: 'final' };
  return { kind: 'tool', path: m[1] ?? '', content: (m[2] ?? '').trim() };
}

/**
 * The user's text since the model last spoke: the new prompt, and whatever notes the agent adds after
 * it in messages of their own (OpenClaw sends its run context as a second user message).
 */
function trailingUserText<M extends { content?: unknown }>(messages: readonly M[], isModel: (m: M) => boolean, isUser: (m: M) => boolean): string {
  const texts: string[] = [];
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const m = messages[i] as M;
    if (isModel(m)) break;
    if (isUser(m)) texts.unshift(textOf(m.content));
  }
  return texts.join('\n');
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.text === 'string') return o.text;
    if ('content' in o) return textOf(o.content);
  }
  return '';
}

/** The argument names a write tool's JSON schema asks for: its path property and its content property. */
function writeArguments(schema: unknown, path: string, content: string): Record<string, string> {
  const props = Object.keys(((schema ?? {}) as { properties?: Record<string, unknown> }).properties ?? {});
  const pathKey = ['file_path', 'filePath', 'path'].find((k) => props.includes(k)) ?? 'file_path';
  return { [pathKey]: path, content };
}

function sse(res: ServerResponse, events: Array<{ event?: string; data: unknown }>, done = false): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of events) res.write(`${e.event !== undefined ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

// --- Anthropic Messages -------------------------------------------------------------------------

function anthropic(res: ServerResponse, b: Record<string, unknown>): void {
  // Claude Code adds system-role notes after the user's message: the conversation is the rest.
  const messages = ((b.messages as Array<{ role: string; content: unknown }> | undefined) ?? []).filter((m) => m.role !== 'system');
  const tools = (b.tools as Array<{ name: string; input_schema?: unknown }> | undefined) ?? [];
  const last = messages[messages.length - 1];
  const lastBlocks = Array.isArray(last?.content) ? (last.content as Array<{ type?: string }>) : [];
  const lastIsToolResult = last?.role === 'user' && lastBlocks.some((c) => c.type === 'tool_result');
  const step = decide(
    tools.length > 0,
    lastIsToolResult,
    trailingUserText(
      messages,
      (m) => m.role === 'assistant',
      (m) => m.role === 'user',
    ),
  );
  const model = typeof b.model === 'string' ? b.model : 'claude-mock';
  const id = `msg_mock_${randomUUID().slice(0, 8)}`;
  const usage = USAGE.anthropic;
  if (b.stream !== true) {
    const content = step.kind === 'tool' ? [toolUse(tools, step)] : [{ type: 'text', text: step.kind === 'side' ? SIDE_TEXT : FINAL_TEXT }];
    return json(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: step.kind === 'tool' ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: usage.input, output_tokens: usage.output },
    });
  }
  const events: Array<{ event: string; data: unknown }> = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: usage.input, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      },
    },
  ];
  if (step.kind === 'tool') {
    const block = toolUse(tools, step);
    events.push(
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { ...block, input: {} } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } } },
    );
  } else {
    events.push(
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: step.kind === 'side' ? SIDE_TEXT : FINAL_TEXT } } },
    );
  }
  events.push(
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: step.kind === 'tool' ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  );
  sse(res, events);
}

function toolUse(tools: Array<{ name: string; input_schema?: unknown }>, step: Step): { type: 'tool_use'; id: string; name: string; input: Record<string, string> } {
  const tool = tools.find((t) => t.name === 'Write') ?? tools.find((t) => /^write$/i.test(t.name));
  if (tool === undefined) throw new Error(`no write tool among ${tools.map((t) => t.name).join(', ')}`);
  return { type: 'tool_use', id: `toolu_mock_${randomUUID().slice(0, 8)}`, name: tool.name, input: writeArguments(tool.input_schema, step.path ?? '', step.content ?? '') };
}

// --- OpenAI Responses ---------------------------------------------------------------------------

interface ResponsesTool {
  type: string;
  name?: string;
  parameters?: unknown;
}

function responses(res: ServerResponse, b: Record<string, unknown>): void {
  const input = ((b.input as Array<Record<string, unknown>> | undefined) ?? []).filter((i) => i.role !== 'system' && i.role !== 'developer');
  const tools = (b.tools as ResponsesTool[] | undefined) ?? [];
  const last = input[input.length - 1];
  const lastIsToolResult = typeof last?.type === 'string' && last.type.endsWith('_call_output');
  const step = decide(
    tools.length > 0,
    lastIsToolResult,
    trailingUserText(
      input,
      (i) => i.role === 'assistant' || (typeof i.type === 'string' && i.type.endsWith('_call')),
      (i) => i.role === 'user',
    ),
  );
  const id = `resp_mock_${randomUUID().slice(0, 8)}`;
  const model = typeof b.model === 'string' ? b.model : 'mock-model';
  const item = step.kind === 'tool' ? responsesToolCall(tools, step) : responsesMessage(step.kind === 'side' ? SIDE_TEXT : FINAL_TEXT);
  const usage = {
    input_tokens: USAGE.responses.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: USAGE.responses.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: USAGE.responses.input + USAGE.responses.output,
  };
  const response = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), model, status: 'completed', output: [item], usage };
  sse(res, [
    { event: 'response.created', data: { type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress', output: [], usage: null } } },
    { event: 'response.output_item.added', data: { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item } },
    { event: 'response.output_item.done', data: { type: 'response.output_item.done', sequence_number: 2, output_index: 0, item } },
    { event: 'response.completed', data: { type: 'response.completed', sequence_number: 3, response } },
  ]);
}

function responsesMessage(text: string): Record<string, unknown> {
  return {
    id: `msg_mock_${randomUUID().slice(0, 8)}`,
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
}

/** Codex's file tool: `apply_patch` (a freeform custom tool, or a function taking `input`), else its shell. */
function responsesToolCall(tools: ResponsesTool[], step: Step): Record<string, unknown> {
  const call_id = `call_mock_${randomUUID().slice(0, 8)}`;
  const path = step.path ?? '';
  const content = step.content ?? '';
  const patch = `*** Begin Patch\n*** Add File: ${path}\n+${content}\n*** End Patch\n`;
  const applyPatch = tools.find((t) => t.name === 'apply_patch');
  if (applyPatch?.type === 'custom') return { id: `ctc_${call_id}`, type: 'custom_tool_call', status: 'completed', call_id, name: 'apply_patch', input: patch };
  if (applyPatch !== undefined) return functionCall(call_id, 'apply_patch', { input: patch });
  const script = `printf %s ${shellWord(content)} > ${shellWord(path)}`;
  if (tools.some((t) => t.name === 'exec_command')) return functionCall(call_id, 'exec_command', { cmd: script });
  if (tools.some((t) => t.name === 'shell')) return functionCall(call_id, 'shell', { command: ['bash', '-lc', script] });
  throw new Error(`no file or shell tool among ${tools.map((t) => t.name ?? t.type).join(', ')}`);
}

function functionCall(call_id: string, name: string, args: unknown): Record<string, unknown> {
  return { id: `fc_${call_id}`, type: 'function_call', status: 'completed', call_id, name, arguments: JSON.stringify(args) };
}

function shellWord(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

// --- OpenAI Chat Completions --------------------------------------------------------------------

interface ChatTool {
  type: string;
  function?: { name: string; parameters?: unknown };
}

function chat(res: ServerResponse, b: Record<string, unknown>): void {
  const messages = ((b.messages as Array<{ role: string; content: unknown }> | undefined) ?? []).filter((m) => m.role !== 'system');
  const tools = (b.tools as ChatTool[] | undefined) ?? [];
  const last = messages[messages.length - 1];
  const step = decide(
    tools.length > 0,
    last?.role === 'tool',
    trailingUserText(
      messages,
      (m) => m.role === 'assistant',
      (m) => m.role === 'user',
    ),
  );
  const id = `chatcmpl-mock-${randomUUID().slice(0, 8)}`;
  const model = typeof b.model === 'string' ? b.model : 'mock-model';
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: USAGE.chat.input, completion_tokens: USAGE.chat.output, total_tokens: USAGE.chat.input + USAGE.chat.output };
  const chunk = (delta: unknown, finish: string | null): { data: unknown } => ({
    data: { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] },
  });
  let message: Record<string, unknown>;
  let finish: string;
  if (step.kind === 'tool') {
    const tool = tools.find((t) => /^write$/i.test(t.function?.name ?? ''));
    if (tool?.function === undefined) throw new Error(`no write tool among ${tools.map((t) => t.function?.name).join(', ')}`);
    const args = JSON.stringify(writeArguments(tool.function.parameters, step.path ?? '', step.content ?? ''));
    message = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: `call_mock_${randomUUID().slice(0, 8)}`, type: 'function', function: { name: tool.function.name, arguments: args } }],
    };
    finish = 'tool_calls';
  } else {
    message = { role: 'assistant', content: step.kind === 'side' ? SIDE_TEXT : FINAL_TEXT };
    finish = 'stop';
  }
  if (b.stream !== true) {
    return json(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finish }], usage });
  }
  const calls = message.tool_calls as Array<Record<string, unknown>> | undefined;
  const events = [
    chunk({ role: 'assistant', content: '' }, null),
    calls !== undefined ? chunk({ tool_calls: calls.map((c, index) => ({ index, ...c })) }, null) : chunk({ content: message.content }, null),
    chunk({}, finish),
    { data: { id, object: 'chat.completion.chunk', created, model, choices: [], usage } },
  ];
  sse(res, events, true);
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStateStore, openAITeacher, parseAnswer, runBalDistill, TeacherRequestError, type Student } from '../src/index.js';

/**
 * A stub OpenAI-compatible server on 127.0.0.1 (loopback only, started and stopped here). Behaviour is keyed
 * by the first word of the user message: "FAIL429xN" fails N times with 429 before answering, "SLOW" never
 * answers in time, "BAD400" is a client error; anything else answers "…The answer is: <gold or 42>".
 */
let server: Server;
let base = '';
const seen: Array<{ auth?: string; model: string; user: string }> = [];
const failures = new Map<string, number>();
let inFlight = 0; // synthesis requests being served
let maxInFlight = 0;
let requests = 0;
const MAX_REQUESTS = 500; // a bound: the stub refuses to serve more than this

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      if (++requests > MAX_REQUESTS) return reply(res, 400, { error: 'stub request bound reached' });
      const synth = raw.includes('Domain:');
      if (synth) inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (req.url !== '/v1/chat/completions' || req.method !== 'POST') return reply(res, 404, { error: 'not found' });
        const body = JSON.parse(raw) as { model: string; messages: Array<{ role: string; content: string }> };
        const user = body.messages.find((m) => m.role === 'user')!.content;
        seen.push({ auth: req.headers.authorization, model: body.model, user });
        const q = /Question: (\S+)/.exec(user)?.[1] ?? '';
        await new Promise((r) => setTimeout(r, 5));
        const fail = /^FAIL(\d{3})x(\d+)/.exec(q);
        if (fail) {
          const n = failures.get(q) ?? 0;
          if (n < Number(fail[2])) {
            failures.set(q, n + 1);
            return reply(res, Number(fail[1]), { error: 'try later' }, fail[1] === '429' ? { 'retry-after': '0' } : {});
          }
        }
        if (q.startsWith('SLOW')) await new Promise((r) => setTimeout(r, 400));
        if (q.startsWith('BAD400')) return reply(res, 400, { error: 'bad request' });
        let content: string;
        if (user.startsWith('Domain:')) {
          const domain = /Domain: (\S+)/.exec(user)![1];
          content = `Question: new ${domain} item ${seen.length}\nReasoning: because it is ${domain}.\nThe answer is: ${domain.toUpperCase()}`;
        } else {
          const gold = /The correct answer is: ([^.]+)\./.exec(user)?.[1] ?? '42';
          content = `Step 1: read ${q}. Step 2: think.\nThe answer is: ${gold}.`;
        }
        reply(res, 200, { id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content } }], usage: { prompt_tokens: 10, completion_tokens: 5 } });
      } finally {
        if (synth) inFlight--;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('openAITeacher against a loopback stub', () => {
  it('annotates with the gold answer in the prompt, the API key from the environment, and counts tokens', async () => {
    process.env.BALDISTILL_TEST_KEY = 'sk-test-123';
    const t = openAITeacher({ baseURL: `${base}/`, model: 'stub-1', apiKeyEnv: 'BALDISTILL_TEST_KEY' });
    const out = await t.annotate({ id: 'q1', domain: 'math', input: 'two-plus-two', gold: '4' });
    expect(out).toEqual({ rationale: 'Step 1: read two-plus-two. Step 2: think.', answer: '4' });
    const last = seen[seen.length - 1];
    expect(last.auth).toBe('Bearer sk-test-123');
    expect(last.model).toBe('stub-1');
    expect(t.usage).toMatchObject({ requests: 1, retries: 0, promptTokens: 10, completionTokens: 5 });
    delete process.env.BALDISTILL_TEST_KEY;
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    const t = openAITeacher({ baseURL: base, model: 'm', backoffMs: 1, maxRetries: 3 });
    expect((await t.annotate({ id: 'a', domain: 'd', input: 'FAIL429x2' })).answer).toBe('42');
    expect((await t.annotate({ id: 'b', domain: 'd', input: 'FAIL503x1' })).answer).toBe('42');
    expect(t.usage.retries).toBe(3);
  });

  it('gives up after maxRetries, does not retry a 400, and times out a slow reply', async () => {
    const t = openAITeacher({ baseURL: base, model: 'm', backoffMs: 1, maxRetries: 1, timeoutMs: 100 });
    const e1 = await t.annotate({ id: 'c', domain: 'd', input: 'FAIL500x5' }).catch((e) => e);
    expect(e1).toBeInstanceOf(TeacherRequestError);
    expect(e1).toMatchObject({ status: 500, attempts: 2 });
    const e2 = await t.annotate({ id: 'e', domain: 'd', input: 'BAD400' }).catch((e) => e);
    expect(e2).toMatchObject({ status: 400, attempts: 1 });
    const e3 = await t.annotate({ id: 'f', domain: 'd', input: 'SLOW' }).catch((e) => e);
    expect(e3).toMatchObject({ status: 'timeout', attempts: 2 });
  });

  it('keeps at most `concurrency` requests in flight, and synthesises parsed examples of the asked domain', async () => {
    maxInFlight = 0;
    const t = openAITeacher({ baseURL: base, model: 'm', concurrency: 2 });
    const made = await t.synthesize('geo', [{ id: 'g1', domain: 'geo', input: 'capital of X?', rationale: 'r', answer: 'Y', synthetic: false }], 6);
    expect(made).toHaveLength(6);
    expect(made.every((e) => e.domain === 'geo' && e.answer === 'GEO' && e.input.startsWith('new geo item'))).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(maxInFlight).toBe(2);
  });

  it('drives runBalDistill end to end within the budget', async () => {
    const t = openAITeacher({ baseURL: base, model: 'm', concurrency: 3 });
    const fits: number[] = [];
    const student: Student<string, string, string> = {
      fit: async (data) => void fits.push(data.length),
      generate: async () => ({ rationale: '', answer: '42' }),
      logLikelihood: async (x) => ({ sum: x === null ? -2 : -1, tokens: 1 }),
    };
    const pool = [
      ...Array.from({ length: 12 }, (_, k) => ({ id: `h${k}`, domain: 'head', input: `h-${k}`, gold: '42' })),
      { id: 't0', domain: 'tail', input: 't-0', gold: '42' },
    ];
    const before = t.usage.requests;
    const res = await runBalDistill({ pool, teacher: t, student, budget: 8, stages: 2, policy: 'naive', store: memoryStateStore() });
    expect(res.ledger.spent).toBe(8);
    expect(t.usage.requests - before).toBe(8);
    // c_d = 2 per domain per stage: the one-item tail is annotated once, then 1 + 2 examples are synthesised
    expect(res.data.filter((e) => e.synthetic).length).toBe(3);
    expect(fits).toEqual([4, 8]);
  });

  it('parses the last "The answer is" line and rejects a bad base URL', () => {
    expect(parseAnswer('a\nThe answer is: 3\nso the answer is: 5.')).toEqual({ rationale: 'a\nThe answer is: 3\nso', answer: '5' });
    expect(parseAnswer('no final line')).toBeNull();
    expect(() => openAITeacher({ baseURL: 'api.example.com', model: 'm' })).toThrow(/openAITeacher\.baseURL/);
  });
});

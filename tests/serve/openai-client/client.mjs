// Drives a running `gemba serve` with the official openai client and prints what it saw as
// one JSON object on stdout; tests/serve/test-e2e-openai-client.cpp checks it.
// Environment: GEMBA_URL (http://127.0.0.1:PORT/v1), GEMBA_KEY, GEMBA_MODEL, GEMBA_ADAPTER
// (optional), GEMBA_PROMPTS (JSON array of user messages), GEMBA_COMPLETION_PROMPT,
// GEMBA_MAX_TOKENS, GEMBA_OVERLOAD_TOKENS, GEMBA_LONG_PROMPT (too long for the context), GEMBA_BIG_BODY_BYTES.
import OpenAI from 'openai';

const url = process.env.GEMBA_URL;
const key = process.env.GEMBA_KEY;
const model = process.env.GEMBA_MODEL;
const adapter = process.env.GEMBA_ADAPTER || '';
const prompts = JSON.parse(process.env.GEMBA_PROMPTS);
const maxTokens = Number(process.env.GEMBA_MAX_TOKENS || '16');
const client = new OpenAI({ baseURL: url, apiKey: key, maxRetries: 0, timeout: 60000 });
const out = {};

const chat = async (content, m = model) => {
  const r = await client.chat.completions.create({
    model: m, messages: [{ role: 'user', content }], temperature: 0, max_tokens: maxTokens,
  });
  return { content: r.choices[0].message.content, finish_reason: r.choices[0].finish_reason, usage: r.usage, object: r.object };
};

const status = async (fn) => {
  try { await fn(); return 200; } catch (e) { return e.status ?? `error: ${e.message}`; }
};

const raw = async (path, body, headers = {}) => {
  try {
    const r = await fetch(url + path, {
      method: 'POST', body,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}`, ...headers },
    });
    const text = await r.text();
    let error = null;
    try { error = JSON.parse(text).error ?? null; } catch { error = 'not json'; }
    return { status: r.status, error };
  } catch (e) {
    return { status: `fetch failed: ${e.cause?.code ?? e.message}`, error: null };
  }
};

// Models list.
out.models = [];
for await (const m of client.models.list()) out.models.push(m.id);

// Non-streaming chat, one prompt at a time (the reference for the concurrent run).
out.sequential = [];
for (const p of prompts) out.sequential.push(await chat(p));

// Streaming chat.
{
  const stream = await client.chat.completions.create({
    model, messages: [{ role: 'user', content: prompts[0] }], temperature: 0, max_tokens: maxTokens, stream: true,
    stream_options: { include_usage: true },
  });
  let content = '', chunks = 0, role = null, finish = null, usage = null;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usage = chunk.usage;
    const c = chunk.choices[0];
    if (!c) continue;
    if (c.delta.role) role = c.delta.role;
    if (c.delta.content) content += c.delta.content;
    if (c.finish_reason) finish = c.finish_reason;
  }
  out.stream = { content, chunks, role, finish_reason: finish, usage };
}

// Completions (non-streaming and streaming).
{
  const prompt = process.env.GEMBA_COMPLETION_PROMPT;
  const r = await client.completions.create({ model, prompt, temperature: 0, max_tokens: maxTokens });
  out.completion = { text: r.choices[0].text, finish_reason: r.choices[0].finish_reason, usage: r.usage };
  const s = await client.completions.create({ model, prompt, temperature: 0, max_tokens: maxTokens, stream: true });
  let text = '';
  for await (const chunk of s) text += chunk.choices[0]?.text ?? '';
  out.completion_stream = { text };
}

// Adapter selection.
if (adapter) out.adapter = await chat(prompts[0], adapter);

// Eight clients at once give what one at a time gave.
out.concurrent = await Promise.all(prompts.map((p) => chat(p)));

// Overload: many long requests at once; some must be turned away with 503.
{
  const many = Array.from({ length: 24 }, (_, i) => status(() => client.chat.completions.create({
    model, messages: [{ role: 'user', content: `overload ${i}` }], temperature: 0,
    max_tokens: Number(process.env.GEMBA_OVERLOAD_TOKENS || '40'),
  })));
  out.overload = await Promise.all(many);
}

// Bad requests, each with its status.
out.errors = {
  unknown_model: await status(() => chat(prompts[0], 'no-such-model')),
  wrong_type: await status(() => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], temperature: 'hot' })),
  too_long: await status(() => client.completions.create({ model, prompt: process.env.GEMBA_LONG_PROMPT, max_tokens: 1 })),
  wrong_key: await status(() => new OpenAI({ baseURL: url, apiKey: 'wrong', maxRetries: 0 }).models.list()),
  malformed: await raw('/chat/completions', '{"model": '),
  no_key: await raw('/chat/completions', JSON.stringify({ model, messages: [] }), { Authorization: '' }),
  too_large: await raw('/completions', JSON.stringify({ model, prompt: 'x'.repeat(Number(process.env.GEMBA_BIG_BODY_BYTES)) })),
};

// Still healthy afterwards.
out.health = (await fetch(url.replace(/\/v1$/, '') + '/health')).status;
out.after = await chat(prompts[0]);

process.stdout.write(JSON.stringify(out) + '\n');

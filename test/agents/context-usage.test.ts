import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { capText, ChatContext, dedupRepeatedLines } from '../../src/agents/context';
import { costUsd, loadPriceTable, parsePriceTable, PriceFileError, priceOf } from '../../src/agents/prices';
import { countTokens } from '../../src/agents/tokens';
import { addUsage, usageForCompletion } from '../../src/agents/usage';
import { renderSystemPrompt, splitApis } from '../../src/agents/prompts';

describe('agents / context management', () => {
  it('keeps the system and first user message and trims the oldest observations first, with notices', () => {
    const ctx = new ChatContext({ budgetTokens: 600, maxObservationTokens: 10_000, countTokens: (s) => Math.ceil(s.length / 4) });
    ctx.reset('SYSTEM PROMPT', 'INSTRUCTIONS');
    const obs = (n: number) => `observation ${n} `.repeat(60); // ~ 250 tokens each
    ctx.addObservation(obs(1), 1);
    ctx.addAssistant({ role: 'assistant', content: 'a1' });
    ctx.addObservation(obs(2), 2);
    ctx.addAssistant({ role: 'assistant', content: 'a2' });
    ctx.addObservation(obs(3), 3);
    const msgs = ctx.messages();
    assert.equal(msgs[0].content, 'SYSTEM PROMPT');
    assert.equal(msgs[1].content, 'INSTRUCTIONS');
    assert.match(String(msgs[2].content), /^\[… observation of step 1 trimmed: [\d,]+ tokens \(context budget 600 tokens\) …\]$/);
    assert.equal(msgs[6].content, obs(3), 'the newest observation stays');
    assert.ok(ctx.totalTokens() <= 600);
    assert.deepEqual(msgs.map((m) => m.role), ['system', 'user', 'user', 'assistant', 'user', 'assistant', 'user']);
  });

  it('caps one oversized observation, keeping head and tail with a notice', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i} of a very long kubectl output`).join('\n');
    const capped = capText(text, 500, countTokens, 'observation of step 4');
    assert.ok(countTokens(capped) < 700);
    assert.ok(capped.startsWith('line 0 of'));
    assert.ok(capped.endsWith('line 1999 of a very long kubectl output'));
    assert.match(capped, /\[… observation of step 4 cut: [\d,]+ of [\d,]+ tokens omitted in the middle \(cap 500 tokens per observation\) …\]/);
  });

  it('collapses repeated log lines whose only difference is the timestamp, keeping the last, with a notice', () => {
    const log = [
      'Starting server',
      ...Array.from({ length: 50 }, (_, i) => `[2026-Sep-15 12:37:${String(i % 60).padStart(2, '0')}.366394] <error>: (ClientPool.h:114:Pop) Failed to connect user-service-client`),
      'done',
    ].join('\n');
    const out = dedupRepeatedLines(log).split('\n');
    assert.equal(out.length, 4);
    assert.equal(out[0], 'Starting server');
    assert.equal(out[1], '[… 49 similar lines collapsed …]');
    assert.match(out[2], /12:37:49\.366394\] <error>: .*Failed to connect user-service-client/);
    assert.equal(out[3], 'done');
  });

  it('collapses repeated multi-line blocks', () => {
    const block = (i: number) => [`2026-01-01T00:00:0${i}Z ERR > no reachable servers`, 'panic: no reachable servers'];
    const log = [...block(1), ...block(2), ...block(3), ...block(4)].join('\n');
    assert.equal(dedupRepeatedLines(log), '[… 6 similar lines collapsed …]\n2026-01-01T00:00:04Z ERR > no reachable servers\npanic: no reachable servers');
  });

  it('the context applies dedup to observations', () => {
    const ctx = new ChatContext({ countTokens: (s) => s.length });
    ctx.reset('s', 'u');
    const seen = ctx.addObservation(Array.from({ length: 10 }, (_, i) => `2026-01-01T00:00:0${i}Z Connection refused`).join('\n'), 1);
    assert.equal(seen, '[… 9 similar lines collapsed …]\n2026-01-01T00:00:09Z Connection refused');
  });
});

describe('agents / prompts', () => {
  it('splits the APIs the way the original clients do', () => {
    const g = splitApis({ exec_shell: 'a', get_logs: 'b', submit: 'c', read_metrics: 'd' });
    assert.deepEqual(Object.keys(g.shell), ['exec_shell']);
    assert.deepEqual(Object.keys(g.submit), ['submit']);
    assert.deepEqual(Object.keys(g.telemetry), ['get_logs', 'read_metrics']);
  });

  it('orders problem, telemetry, shell, submit, rules', () => {
    const p = renderSystemPrompt('PROBLEM', { exec_shell: 'SHELLDOC', get_logs: 'LOGDOC', submit: 'SUBMITDOC' }, { showAllApis: true });
    const at = (s: string) => p.indexOf(s);
    assert.ok(at('PROBLEM') < at('get_logs\nLOGDOC'));
    assert.ok(at('get_logs\nLOGDOC') < at('exec_shell\nSHELLDOC'));
    assert.ok(at('exec_shell\nSHELLDOC') < at('submit\nSUBMITDOC'));
    assert.match(p, /Thought: .*\nAction: /);
    const tools = renderSystemPrompt('PROBLEM', { exec_shell: 'SHELLDOC', submit: 'S' }, { protocol: 'tools' });
    assert.match(tools, /exactly one of the provided tools/);
  });
});

describe('agents / tokens, prices and cost', () => {
  it('counts with cl100k_base', () => {
    assert.equal(countTokens('hello world'), 2);
    assert.equal(countTokens(''), 0);
    assert.equal(countTokens('<|endoftext|>') > 1, true, 'special tokens are counted as text');
  });

  it('computes cost from the price table, with provider prefixes and unknown models', () => {
    assert.equal(costUsd('gpt-4o', 1_000_000, 1_000_000), 12.5);
    assert.equal(costUsd('openrouter/gpt-4o-mini', 2_000_000, 0), 0.3);
    assert.equal(priceOf('my-local-model'), undefined);
    assert.equal(costUsd('my-local-model', 10, 10), undefined);
  });

  it('uses the API usage when present, else the tokenizer', () => {
    const api = usageForCompletion({ prompt_tokens: 100, completion_tokens: 20 }, [{ content: 'x' }], 'y', 'gpt-4o');
    assert.deepEqual(api, { inputTokens: 100, outputTokens: 20, source: 'api', costUsd: (100 * 2.5 + 20 * 10) / 1e6 });
    const counted = usageForCompletion(undefined, [{ content: 'hello world' }], 'hello world', 'unknown-model');
    assert.deepEqual(counted, { inputTokens: 2 + 4 + 3, outputTokens: 2, source: 'tokenizer' });
    const sum = addUsage(api, counted);
    assert.equal(sum?.source, 'tokenizer');
    assert.equal(sum?.inputTokens, 109);
  });

  it('loads a user price file (YAML or JSON) over the defaults and names a bad one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prices-'));
    const yml = path.join(dir, 'prices.yaml');
    fs.writeFileSync(yml, 'prices:\n  gpt-4o: { input: 1, output: 2 }\n  my-model: { input: 0.5, output: 0.5 }\n');
    const table = loadPriceTable(yml);
    assert.deepEqual(table['gpt-4o'], { input: 1, output: 2 });
    assert.equal(costUsd('my-model', 1_000_000, 1_000_000, table), 1);
    assert.ok(table['deepseek-reasoner'], 'defaults stay');
    const json = path.join(dir, 'p.json');
    fs.writeFileSync(json, '{"gpt-4o": {"input": "cheap"}}');
    assert.throws(() => loadPriceTable(json), (e: Error) => e instanceof PriceFileError && /p\.json: entry "gpt-4o"/.test(e.message));
    assert.throws(() => loadPriceTable(path.join(dir, 'missing.yaml')), /Cannot read price file .*missing\.yaml/);
    assert.throws(() => parsePriceTable('[1,2]', 'x.json'), /must map model names/);
  });
});

import * as assert from 'node:assert/strict';
import { analyseReplies, hoverMarkdown } from '../../src/extension/model/reply-analysis';

describe('extension inline debugging of agent replies', () => {
  const doc = [
    'Thought: the geo pods look unhealthy',
    'Action:',
    '```',
    'get_logs("test-hotel-reservation", "geo")',
    '```',
    '',
    'Second reply:',
    '```python',
    'exec_shell(kubectl get pods)',
    '```',
    '',
  ].join('\n');

  it('parses each fenced block: the call, or the parser error at the offending place', () => {
    const blocks = analyseReplies(doc);
    assert.equal(blocks.length, 2);
    assert.equal(blocks[0].call?.text, 'get_logs("test-hotel-reservation", "geo")');
    assert.ok(doc.slice(blocks[0].start).startsWith('```\nget_logs'));
    const err = blocks[1].diagnostics[0];
    assert.equal(err.code, 'unquoted-command');
    assert.match(err.message, /^Error parsing response/);
    assert.doesNotMatch(err.message, /```/, 'editors show the example without Markdown fences');
    assert.equal(blocks[1].call, undefined);
    assert.ok(err.start >= blocks[1].start && err.end <= blocks[1].end && err.end > err.start);
    assert.ok(doc.slice(err.start, err.end).length > 0);
  });

  it('hovers show positional and keyword arguments', () => {
    const [b] = analyseReplies('```\nexec_shell("ls", timeout=60)\n```');
    const md = hoverMarkdown(b) ?? '';
    assert.match(md, /arg 0: `"ls"`/);
    assert.match(md, /timeout = `60`/);
  });

  it('checks each block against the actions, with quick fixes at document offsets, and no hover for rejected blocks', () => {
    const text = 'First:\n```\nget_log("ns", "svc")\n```\nSecond:\n```\nget_logs("ns" "svc")\n```\n';
    const [unknown, joined] = analyseReplies(text);
    assert.equal(unknown.diagnostics[0].code, 'unknown-api');
    const edit = unknown.diagnostics[0].fix!.edits[0];
    assert.equal(text.slice(edit.start, edit.end), 'get_log');
    assert.equal(edit.text, 'get_logs');
    assert.deepEqual(joined.diagnostics.map((d) => d.code), ['adjacent-strings', 'missing-argument']);
    const comma = joined.diagnostics[0].fix!.edits[0];
    assert.equal(text.slice(0, comma.start) + comma.text + text.slice(comma.end), text.replace('"ns" "svc"', '"ns", "svc"'));
    assert.equal(hoverMarkdown(analyseReplies('```\nexec_shell(kubectl get pods)\n```')[0]), undefined);
  });

  it('finds no blocks in plain text and handles CRLF', () => {
    assert.deepEqual(analyseReplies('no code here'), []);
    assert.equal(analyseReplies('```\r\nsubmit("Yes")\r\n```\r\n')[0].call?.name, 'submit');
  });

  it('finds blocks opened after text on the same line and closed right after the call ("Action:```", "...)```")', () => {
    const blocks = analyseReplies('Thought: look at the pods\nAction:```\nexec_shell("kubectl get pods -n x")\n```\nthen\nAction: ```bash\nget_logs("x", "geo")```\n');
    assert.deepEqual(blocks.map((b) => b.call?.text), ['exec_shell("kubectl get pods -n x")', 'get_logs("x", "geo")']);
    assert.ok(blocks[0].text.startsWith('```\nexec_shell'));
  });
});

import { strict as assert } from 'node:assert';
import { runTool, ToolError } from '../../src/env/run-tool';

const cannotStart = (error: Error) => new Error(`cannot start: ${error.message}`);

describe('runTool: the orchestrator runs kubectl and helm to their end', () => {
  it('a tool that exits without reading its input gives its exit code and stderr, not an EPIPE crash', async () => {
    // Exits at once; the 16 MiB manifest on its stdin cannot all fit in the pipe, so the write meets a closed pipe.
    const script = 'process.stderr.write("error: unknown flag --bogus\\n"); process.exit(3)';
    for (let i = 0; i < 5; i++) {
      const r = await runTool(process.execPath, ['-e', script], { input: 'kind: ConfigMap\n'.repeat(1 << 20), timeoutMs: 30_000, cannotStart });
      assert.equal(r.code, 3);
      assert.equal(r.stderr, 'error: unknown flag --bogus\n');
    }
  });

  it('a program that cannot start is the caller\'s error saying how to fix it; a failed run is a ToolError naming the tool', async () => {
    await assert.rejects(runTool('/nonexistent/kubectl', ['version'], { timeoutMs: 5_000, cannotStart }), /cannot start: spawn \/nonexistent\/kubectl ENOENT/);
    const error = new ToolError('kubectl', ['get', 'pods'], 1, 'Error from server (Forbidden): pods is forbidden\n');
    assert.equal(error.message, 'kubectl get pods failed (exit code 1): Error from server (Forbidden): pods is forbidden');
  });
});

import { strict as assert } from 'node:assert';
import { ToolError } from '../../src/env/run-tool';
import { ignoreNotFound, isConflict, isNotFound, isTransient, retryOnConflict } from '../../src/env/races';

const apiError = (code: number, message: string) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify({ kind: 'Status', message }) });
const kubectlError = (stderr: string) => new ToolError('kubectl', ['delete', 'pod', 'geo-1'], 1, stderr);

describe('races: steps that meet objects coming and going', () => {
  it('tells "already gone" from other failures, for client-node and for kubectl', async () => {
    assert.equal(isNotFound(apiError(404, 'pods "geo-1" not found')), true);
    assert.equal(isNotFound(kubectlError('Error from server (NotFound): pods "geo-1" not found')), true);
    assert.equal(isNotFound(kubectlError('Error from server (Forbidden): pods is forbidden')), false);
    assert.equal(isNotFound(apiError(403, 'forbidden')), false);
    assert.equal(await ignoreNotFound(Promise.reject(kubectlError('Error from server (NotFound): pods "geo-1" not found'))), undefined);
    await assert.rejects(ignoreNotFound(Promise.reject(kubectlError('Error from server (Forbidden): no'))), /Forbidden/);
  });

  it('retries a write that lost a race with a controller, and only that', async () => {
    let calls = 0;
    const result = await retryOnConflict(async () => {
      calls++;
      if (calls < 3) throw apiError(409, 'Operation cannot be fulfilled on podchaos "x": the object has been modified; please apply your changes to the latest version and try again');
      return 'written';
    }, 6, async () => undefined);
    assert.equal(result, 'written');
    assert.equal(calls, 3);
    assert.equal(isConflict(apiError(409, 'podchaos "x" already exists')), false, 'AlreadyExists is not a conflict to retry');
    let attempts = 0;
    await assert.rejects(retryOnConflict(async () => { attempts++; throw apiError(422, 'invalid'); }, 6, async () => undefined), /HTTP-Code: 422/);
    assert.equal(attempts, 1);
    attempts = 0;
    await assert.rejects(retryOnConflict(async () => { attempts++; throw kubectlError('Error from server (Conflict): the object has been modified'); }, 3, async () => undefined), /Conflict/);
    assert.equal(attempts, 3, 'gives up after its attempts');
  });

  it('counts a busy or unreachable server as transient, a refusal as not', () => {
    assert.equal(isTransient(apiError(503, 'unavailable')), true);
    assert.equal(isTransient(Object.assign(new Error('request to https://127.0.0.1 failed, reason: socket hang up'), {})), true);
    assert.equal(isTransient(kubectlError('The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port? connection refused')), true);
    assert.equal(isTransient(apiError(404, 'not found')), false);
    assert.equal(isTransient(apiError(403, 'forbidden')), false);
  });
});

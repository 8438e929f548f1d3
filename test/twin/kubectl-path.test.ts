/**
 * The check that decides whether a user's kubectl can serve the embedded cluster: every current client (1.29 and
 * newer, gcloud's dispatcher) is accepted; older ones and non-kubectls are refused with a reason the user can act on.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { whyUnusable } from '../../src/twin/kubectl-path';

describe('choosing the kubectl for the embedded cluster', () => {
  let dir: string;
  /** A stand-in kubectl that reports the given client version, as `kubectl version --client -o json` does. */
  const fake = (name: string, gitVersion: string, minor: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\necho '{"clientVersion":{"major":"1","minor":"${minor}","gitVersion":"${gitVersion}"}}'\n`, { mode: 0o755 });
    return file;
  };
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-path-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts kubectl 1.29 through 1.35 and newer, and gcloud\'s dispatcher', async () => {
    for (const minor of [29, 31, 32, 35, 36]) assert.equal(await whyUnusable(fake(`k${minor}`, `v1.${minor}.1`, String(minor))), undefined, `1.${minor}`);
    assert.equal(await whyUnusable(fake('dispatcher', 'v1.32.4-dispatcher', '32')), undefined);
  });

  it('refuses an old kubectl and something that is not a kubectl, saying why', async () => {
    const old = await whyUnusable(fake('k20', 'v1.20.2', '20'));
    assert.match(old ?? '', /is kubectl 1\.20, too old for the embedded cluster/);
    const notKubectl = path.join(dir, 'true-bin');
    fs.writeFileSync(notKubectl, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    assert.match((await whyUnusable(notKubectl)) ?? '', /not a kubectl/);
  });
});

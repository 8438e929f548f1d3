/**
 * The twin's child-process entry: serves the twin and reports `{type:'ready', port}` over IPC.
 * Stops on `{type:'stop'}`, on SIGTERM/SIGINT, or when the parent goes away.
 */

// A bug in one controller or behaviour must not take the whole cluster down mid-episode: log it and keep serving.
process.on('uncaughtException', (e) => { process.stderr.write(`twin: uncaught exception: ${e instanceof Error ? e.stack : String(e)}\n`); });
process.on('unhandledRejection', (e) => { process.stderr.write(`twin: unhandled rejection: ${e instanceof Error ? e.stack : String(e)}\n`); });

/**
 * AIOPSLAB_TWIN_TIMING: a JSON object overriding the simulated durations (see Timing in ../cluster/context.ts), e.g.
 * `{"controllerLagMs":150,"terminationMs":1500}` for a cluster whose controllers and kubelets are slow.
 */
function timingFromEnv(): Partial<import('../cluster/context').Timing> | undefined {
  const raw = process.env.AIOPSLAB_TWIN_TIMING;
  if (!raw) return undefined;
  const parsed = JSON.parse(raw) as unknown;
  if (!parsed || typeof parsed !== 'object' || Object.values(parsed).some((v) => typeof v !== 'number' || !(v >= 0))) {
    throw new Error(`AIOPSLAB_TWIN_TIMING must be a JSON object of non-negative milliseconds, e.g. {"controllerLagMs":150}; got ${raw}`);
  }
  return parsed;
}

/** A message the parent sends over IPC (see start.ts): the TLS key material and admin token, the apps' models. */
function fromParent<T>(type: 'identity' | 'models', flag: string): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!process.send) { reject(new Error(`${flag} needs an IPC channel to the parent`)); return; }
    const onMessage = (m: unknown): void => {
      const msg = m as { type?: string; value?: T };
      if (msg?.type !== type) return;
      process.off('message', onMessage);
      resolve(msg.value as T);
    };
    process.on('message', onMessage);
  });
}

async function main(): Promise<void> {
  const port = Number(process.env.AIOPSLAB_TWIN_PORT ?? 0) || 0;
  const adminPrefix = process.env.AIOPSLAB_TWIN_ADMIN_PREFIX || undefined;
  // Loaded here, not at the top: the docker mode below must not load the whole cluster (the agent's sandbox binds only
  // the modules that mode needs; see dockerShimFiles).
  const { serveTwin } = await import('./serve');
  const [identity, models] = await Promise.all([
    process.env.AIOPSLAB_TWIN_IDENTITY ? fromParent<import('./serve').ServeOptions['identity']>('identity', 'AIOPSLAB_TWIN_IDENTITY') : undefined,
    process.env.AIOPSLAB_TWIN_MODELS ? fromParent<import('./serve').ServeOptions['models']>('models', 'AIOPSLAB_TWIN_MODELS') : undefined,
  ]);
  const twin = await serveTwin({
    port, views: { adminPrefix, agentUser: 'system:serviceaccount:default:aiopslab-agent' }, timing: timingFromEnv(),
    bare: process.env.AIOPSLAB_TWIN_BARE === '1', identity, models,
  });
  let stopping = false;
  const stop = async (code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 2000);
    force.unref();
    try { await twin.stop(); } finally { process.exit(code); }
  };
  process.on('message', (m: unknown) => { if (m && (m as { type?: string }).type === 'stop') void stop(0); });
  process.on('disconnect', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  if (process.send) process.send({ type: 'ready', port: twin.port, pid: process.pid, telemetry: twin.telemetry });
  else process.stdout.write(`${twin.url}\n`);
}

// Multi-call: `node entry.js docker <args…>` is the embedded cluster's docker CLI (the shim of src/twin/flower).
if (process.argv[2] === 'docker') void import('../flower/docker-cli').then((m) => m.runDockerCli(process.argv.slice(3)));
else main().catch((e) => {
  const msg = e instanceof Error ? e.message : String(e);
  if (process.send) process.send({ type: 'error', message: msg });
  process.stderr.write(`twin: ${msg}\n`);
  process.exit(1);
});

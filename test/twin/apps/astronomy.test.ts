/**
 * AstronomyShop on the twin with the real kubectl: every pod Ready (the busybox wait-for-kafka / wait-for-valkey init
 * containers complete), flagd's init-config prints the flags, and turning a flag on in `flagd-config` (as the
 * injector does, with a flagd restart) makes the faulty service log the demo's failure lines; off again stops them.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { startAppTwin, deployApp, APPS_DIR, type AppTwin } from './harness';

const NS = 'astronomy-shop';

describe('twin apps: AstronomyShop containers and flagd flags (real kubectl)', function () {
  this.timeout(60000);
  let twin: AppTwin;

  before(async () => {
    twin = await startAppTwin();
    await deployApp(twin, 'astronomy-shop', NS);
    twin.advance(8000);
  });
  after(async () => {
    await twin?.close();
  });

  async function setFlag(flag: string, variant: string): Promise<void> {
    const r = await twin.k(['get', 'configmap', 'flagd-config', '-n', NS, '-o', 'json']);
    const cm = JSON.parse(r.stdout);
    const flags = JSON.parse(cm.data['demo.flagd.json']);
    flags.flags[flag].defaultVariant = variant;
    cm.data['demo.flagd.json'] = JSON.stringify(flags, null, 2);
    const applied = await twin.k(['apply', '-f', '-'], JSON.stringify(cm));
    assert.equal(applied.code, 0, applied.stderr);
    // The injector restarts flagd; two `rollout restart`s in the same real second would be a no-op patch, so restart by pod deletion.
    assert.equal((await twin.k(['delete', 'pod', '-n', NS, '-l', 'opentelemetry.io/name=flagd', '--wait=false'])).code, 0);
    twin.advance(3000);
  }

  it('deploys: all pods Ready, init containers waited for kafka, flagd init-config prints the flag file', async () => {
    const pods = await twin.pods(NS);
    assert.ok(pods.size >= 20);
    for (const [name, p] of pods) assert.equal(p.status, 'Running', name);
    const acc = await twin.podName(NS, 'opentelemetry.io/name=accounting');
    assert.match(await twin.logs(NS, acc, ['-c', 'wait-for-kafka']), /^kafka \(10\.\d+\.\d+\.\d+:9092\) open$/m);
    const flagd = await twin.podName(NS, 'opentelemetry.io/name=flagd');
    assert.match(await twin.logs(NS, flagd, ['-c', 'init-config']), /"adFailure"/);
  });

  it('adFailure on → ad logs GetAds Failed UNAVAILABLE about 1 in 10 requests; off → none', async () => {
    await setFlag('adFailure', 'on');
    const ad = await twin.podName(NS, 'opentelemetry.io/name=ad');
    twin.advance(40000);
    const logs = await twin.logs(NS, ad);
    const failed = logs.split('\n').filter((l) => / - oteldemo\.AdService - GetAds Failed with status Status\{code=UNAVAILABLE, description=null, cause=null\} trace_id=[0-9a-f]{32} span_id=[0-9a-f]{16} trace_flags=01$/.test(l));
    assert.ok(failed.length >= 1 && failed.length <= 4, `${failed.length}`);
    await setFlag('adFailure', 'off');
    twin.advance(30000);
    assert.doesNotMatch(await twin.logs(NS, ad, ['--tail=12']), /GetAds Failed/);
  });

  it('paymentFailure on → payment warns Invalid token, checkout logs the charge failure', async () => {
    await setFlag('paymentFailure', '100%');
    twin.advance(40000);
    const payment = await twin.logs(NS, await twin.podName(NS, 'opentelemetry.io/name=payment'));
    assert.match(payment, /"level":"warn".*Payment request failed\. Invalid token\. app\.loyalty\.level=gold/);
    const checkout = await twin.logs(NS, await twin.podName(NS, 'opentelemetry.io/name=checkout'));
    assert.match(checkout, /failed to charge card: could not charge the card: rpc error: code = Unknown desc = Payment request failed\. Invalid token\./);
    await setFlag('paymentFailure', 'off');
  });

  it('adHighCpu on → ad logs the CPU-load pattern and kubectl top shows ~4 cores', async () => {
    await setFlag('adHighCpu', 'on');
    twin.advance(10000);
    const ad = await twin.podName(NS, 'opentelemetry.io/name=ad');
    assert.match(await twin.logs(NS, ad, ['--tail=6']), /oteldemo\.problempattern\.CPULoad - High CPU-Load problempattern enabled/);
    const top = await twin.k(['top', 'pod', ad, '-n', NS, '--no-headers']);
    assert.equal(top.code, 0, top.stderr);
    assert.ok(Number(/\s(\d+)m\s/.exec(top.stdout)?.[1]) >= 3000, top.stdout);
    await setFlag('adHighCpu', 'off');
  });

  it('the other flags: each on → the faulty service logs the demo\'s lines; off → they stop', async () => {
    const cases: Array<[flag: string, variant: string, app: string, line: RegExp]> = [
      ['adManualGc', 'on', 'ad', /oteldemo\.AdService - Feature Flag adManualGc enabled, performing a manual gc now[\s\S]*GarbageCollectionTrigger - The artificially triggered GCs took: \d+ ms/],
      ['cartFailure', 'on', 'cart', /EmptyCartAsync called with userId=\w+\nfail: cart\.cartstore\.ValkeyCartStore\[0\]\n\s+Wasn't able to connect to redis/],
      ['kafkaQueueProblems', 'on', 'checkout', /Warning: FeatureFlag 'kafkaQueueProblems' is activated, overloading queue now\.[\s\S]*Done with #100 messages for overload simulation\./],
      ['kafkaQueueProblems', 'on', 'fraud-detection', /frauddetection - FeatureFlag 'kafkaQueueProblems' is enabled, sleeping 1 second/],
      ['paymentUnreachable', 'on', 'checkout', /failed to charge card: could not charge the card: rpc error: code = Unavailable desc = name resolver error: produced zero addresses/],
      ['productCatalogFailure', 'on', 'product-catalog', /Error: Product Catalog Fail Feature Flag Enabled/],
      ['recommendationCacheFailure', 'on', 'recommendation', /get_product_list: cache (miss|hit)/],
    ];
    for (const [flag, variant, app, line] of cases) {
      await setFlag(flag, variant);
      twin.advance(60000);
      const pod = await twin.podName(NS, `opentelemetry.io/name=${app}`);
      assert.match(await twin.logs(NS, pod), line, `${flag} → ${app}`);
      await setFlag(flag, 'off');
      twin.advance(60000);
      const recent = await twin.logs(NS, pod, ['--since=30s']);
      if (app !== 'product-catalog') assert.ok(recent.trim().length > 0, `${app} keeps logging its normal lines`);
      assert.doesNotMatch(recent, line, `${flag} off → ${app} quiet`);
    }
  });

  it('a wait-for-kafka init container keeps looping while kafka does not exist and completes once it comes up', async () => {
    const ns = 'astro-wait';
    assert.equal((await twin.k(['create', 'namespace', ns])).code, 0);
    let r = await twin.k(['apply', '-n', ns, '-f', path.join(APPS_DIR, 'astronomy-shop', 'manifests', 'accounting.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(6000);
    const pod = await twin.podName(ns, 'opentelemetry.io/name=accounting');
    assert.equal((await twin.pods(ns)).get(pod)!.status, 'Init:0/1');
    const looping = await twin.logs(ns, pod, ['-c', 'wait-for-kafka']);
    assert.match(looping, /^nc: bad address 'kafka'\nwaiting for kafka$/m);
    // One try when the shell is up, then one after every `sleep 2`: 3 in the ~5.5 s since the container started.
    assert.equal(looping.split('\n').filter((l) => l === 'waiting for kafka').length, 3, looping);
    r = await twin.k(['apply', '-n', ns, '-f', path.join(APPS_DIR, 'astronomy-shop', 'manifests', 'kafka.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    for (let i = 0; i < 8; i++) {
      twin.advance(500);
      await new Promise((res) => setImmediate(res));
    }
    twin.advance(2000);
    const p = (await twin.pods(ns)).get(pod)!;
    assert.deepEqual([p.ready, p.status], ['1/1', 'Running']);
    assert.match(await twin.logs(ns, pod, ['-c', 'wait-for-kafka']), /^kafka \(10\.\d+\.\d+\.\d+:9092\) open$/m);
  });
});

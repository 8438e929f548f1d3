/**
 * AstronomyShop (OpenTelemetry demo 2.0.2 images `ghcr.io/open-telemetry/demo:2.0.2-<service>` and flagd): start-up
 * lines in each service's own format, per-request info lines from the demo's continuous Locust load, and the failure
 * lines of the services whose flagd flag is on (read from ConfigMap `flagd-config`, key `demo.flagd.json`, like the
 * real flagd does through its mounted copy).
 */
import type { ContainerBehaviour, ContainerContext, KubeObject } from '../contracts';
import { Shell } from '../cluster/shell';
import { shellEnv } from '../cluster/default-behaviour';
import { hex, type AppWorld } from './world';
import { netTools } from './tools';

function serviceOf(image: string): string {
  const m = /:[^:]*?-([a-z-]+)$/.exec(image);
  return m ? m[1] : image.split('/').pop() ?? image;
}

/** Flags whose default variant is on (a truthy value), from the flagd ConfigMap of the namespace. */
export function flagsOn(world: AppWorld, ns: string): Set<string> {
  return new Set(Object.keys(flagValues(world, ns)));
}

/** Flags that are on with their value (1 for a boolean on; the share for rate variants such as paymentFailure 50%). */
export function flagValues(world: AppWorld, ns: string): Record<string, number> {
  const on: Record<string, number> = {};
  const cm = world.store.get('configmaps', ns, 'flagd-config');
  const text = (cm?.data as Record<string, string> | undefined)?.['demo.flagd.json'];
  if (!text) return on;
  try {
    const flags = (JSON.parse(text).flags ?? {}) as Record<string, { state?: string; variants?: Record<string, unknown>; defaultVariant?: string }>;
    for (const [name, f] of Object.entries(flags)) {
      if (f.state === 'DISABLED') continue;
      const v = f.variants?.[f.defaultVariant ?? ''];
      if (v === true) on[name] = 1;
      else if (typeof v === 'number' && v > 0) on[name] = v;
    }
  } catch {
    /* flagd would log a parse error and keep the last good flags */
  }
  return on;
}

const CATS = ['binoculars', 'telescopes', 'accessories', 'assembly', 'travel', 'books'];

function ts(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

function ids(seed: string): string {
  return `trace_id=${hex(`${seed}/t`, 32)} span_id=${hex(`${seed}/s`, 16)} trace_flags=01`;
}

function logrus(ms: number, severity: string, message: string): string {
  return JSON.stringify({ message, severity, timestamp: new Date(ms).toISOString() });
}

function pino(ms: number, level: 'info' | 'warn' | 'error', msg: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ level, time: ms, pid: 1, hostname: 'payment', 'service.name': 'payment', ...extra, msg });
}

function startLines(svc: string, ms: number, pod: KubeObject): string[] {
  switch (svc) {
    case 'ad':
      return [`${ts(ms)} - oteldemo.AdService - Ad service starting. trace_id= span_id= trace_flags=`, `${ts(ms)} - oteldemo.AdService - Ad service started, listening on 8080 trace_id= span_id= trace_flags=`];
    case 'checkout':
      return [logrus(ms, 'info', 'service config: &{productCatalogSvcAddr:product-catalog:8080 cartSvcAddr:cart:8080 currencySvcAddr:currency:8080 shippingSvcAddr:shipping:8080 emailSvcAddr:http://email:8080 paymentSvcAddr:payment:8080 kafkaBrokerSvcAddr:kafka:9092}'), logrus(ms, 'info', 'starting to listen on tcp: "[::]:8080"')];
    case 'product-catalog':
      return [logrus(ms, 'info', 'Loaded 10 products'), logrus(ms, 'info', 'Product Catalog gRPC server started on port: 8080')];
    case 'payment':
      return [pino(ms, 'info', 'payment gRPC server started on port 8080')];
    case 'cart':
      return ['info: Microsoft.Hosting.Lifetime[14]', '      Now listening on: http://[::]:8080', 'info: Microsoft.Hosting.Lifetime[0]', '      Application started. Press Ctrl+C to shut down.', 'info: Microsoft.Hosting.Lifetime[0]', '      Hosting environment: Production'];
    case 'recommendation':
      return ['Recommendation service started, listening on port 8080'];
    case 'fraud-detection':
      return [`${ts(ms)} - frauddetection - Consumer startup complete`];
    case 'frontend':
      return ['  ▲ Next.js 14.2.25', '  - Local:        http://localhost:8080', '  - Network:      http://0.0.0.0:8080', '', ' ✓ Starting...', ' ✓ Ready in 412ms'];
    case 'load-generator':
      return [`[${ts(ms)},000] ${pod.metadata.name}/INFO/locust.main: Starting web interface at http://0.0.0.0:8089`, `[${ts(ms)},000] ${pod.metadata.name}/INFO/locust.main: Starting Locust 2.32.4`, `[${ts(ms)},000] ${pod.metadata.name}/INFO/locust.runners: Ramping to 10 users at a rate of 1.00 per second`];
    case 'kafka':
      return [`[${ts(ms)},000] INFO [KafkaRaftServer nodeId=1] Kafka Server started (kafka.server.KafkaRaftServer)`];
    case 'currency':
      return [`Currency Server listening on port: 8080`];
    case 'email':
      return [`Puma starting in single mode...`, `* Listening on http://0.0.0.0:8080`];
    case 'shipping':
      return [`Shipping service listening on port 8080`];
    case 'quote':
      return [`[${ts(ms)}] INFO: Quote service started on port 8080`];
    case 'accounting':
      return [`info: Accounting.Consumer[0]`, `      Accounting service started`];
    default:
      return [`${svc}: started`];
  }
}

/** Lines a service prints for one request of the continuous load at `t` (index k), given the flags that are on. */
function requestLines(svc: string, t: number, k: number, values: Record<string, number>, seed: string): string[] {
  const s = `${seed}/${k}`;
  const on = new Set(Object.keys(values).filter((f) => {
    const v = values[f];
    // A rate flag fails that share of requests (per order for the payment path).
    return v >= 1 || parseInt(hex(`${f}/${Math.floor(k / 8)}`, 6), 16) / 0xffffff < v;
  }));
  switch (svc) {
    case 'ad': {
      const cat = CATS[k % CATS.length];
      const out = [`${ts(t)} - oteldemo.AdService - Targeted ad request received for [${cat}] ${ids(s)}`];
      if (on.has('adHighCpu')) out.push(`${ts(t)} - oteldemo.problempattern.CPULoad - High CPU-Load problempattern enabled ${ids(s)}`);
      if (on.has('adManualGc')) {
        out.push(`${ts(t)} - oteldemo.AdService - Feature Flag adManualGc enabled, performing a manual gc now ${ids(s)}`, `${ts(t)} - oteldemo.problempattern.GarbageCollectionTrigger - Triggering a manual garbage collection, next one in 10 seconds. ${ids(s)}`, `${ts(t)} - oteldemo.problempattern.GarbageCollectionTrigger - The artificially triggered GCs took: ${900 + (k % 7) * 37} ms ${ids(s)}`);
      }
      if (on.has('adFailure') && k % 10 === 9) out.push(`${ts(t)} - oteldemo.AdService - GetAds Failed with status Status{code=UNAVAILABLE, description=null, cause=null} ${ids(s)}`);
      return out;
    }
    case 'checkout': {
      if (k % 8 !== 0) return [];
      const user = hex(`${s}/u`, 8) + '-' + hex(`${s}/v`, 4);
      const out = [logrus(t, 'info', `[PlaceOrder] user_id="${user}" user_currency="USD"`)];
      if (on.has('paymentUnreachable')) return [...out, logrus(t, 'error', 'failed to charge card: could not charge the card: rpc error: code = Unavailable desc = name resolver error: produced zero addresses')];
      if (on.has('paymentFailure')) return [...out, logrus(t, 'error', 'failed to charge card: could not charge the card: rpc error: code = Unknown desc = Payment request failed. Invalid token. app.loyalty.level=gold')];
      out.push(logrus(t, 'info', `payment went through (transaction_id: ${hex(`${s}/tx`, 8)}-${hex(`${s}/ty`, 4)})`), logrus(t, 'info', `order confirmation email sent to "${user.slice(0, 6)}@example.com"`), logrus(t, 'info', 'sending to postProcessor'));
      if (on.has('kafkaQueueProblems')) out.push(logrus(t, 'info', "Warning: FeatureFlag 'kafkaQueueProblems' is activated, overloading queue now."), logrus(t, 'info', 'Done with #100 messages for overload simulation.'));
      return out;
    }
    case 'payment': {
      if (k % 8 !== 0 || on.has('paymentUnreachable')) return [];
      if (on.has('paymentFailure')) return [pino(t, 'info', 'Charge request received.'), pino(t, 'warn', 'Payment request failed. Invalid token. app.loyalty.level=gold', { err: { type: 'Error', message: 'Payment request failed. Invalid token. app.loyalty.level=gold' } })];
      return [pino(t, 'info', 'Charge request received.', { request: { amount: { currencyCode: 'USD', units: { low: 49 + (k % 50), high: 0, unsigned: false }, nanos: 990000000 } } }), pino(t, 'info', 'Transaction complete.', { transactionId: `${hex(`${s}/tx`, 8)}-${hex(`${s}/ty`, 4)}`, cardType: 'visa', lastFourDigits: '0454', amount: { units: { low: 49, high: 0, unsigned: false }, nanos: 990000000, currencyCode: 'USD' }, loyalty_level: 'gold' })];
    }
    case 'cart': {
      if (k % 8 !== 0) return [];
      const user = hex(`${s}/u`, 8);
      if (on.has('cartFailure')) return ['info: cart.cartstore.ValkeyCartStore[0]', `      EmptyCartAsync called with userId=${user}`, 'fail: cart.cartstore.ValkeyCartStore[0]', "      Wasn't able to connect to redis"];
      return ['info: cart.cartstore.ValkeyCartStore[0]', `      EmptyCartAsync called with userId=${user}`];
    }
    case 'fraud-detection':
      if (k % 8 !== 0) return [];
      return on.has('kafkaQueueProblems') ? Array.from({ length: 3 }, () => `${ts(t)} - frauddetection - FeatureFlag 'kafkaQueueProblems' is enabled, sleeping 1 second`) : [`${ts(t)} - frauddetection - Consumed record with orderId: ${hex(`${s}/o`, 8)}-${hex(`${s}/p`, 4)}, and updated total count to: ${k / 8 + 1}`];
    case 'recommendation':
      if (k % 3 !== 0) return [];
      return on.has('recommendationCacheFailure') ? [k % 2 ? 'get_product_list: cache hit' : 'get_product_list: cache miss'] : [`Receive ListRecommendations for product ids:['${hex(`${s}/pid`, 10).toUpperCase()}']`];
    case 'product-catalog':
      return on.has('productCatalogFailure') && k % 10 === 3 ? [logrus(t, 'error', 'Error: Product Catalog Fail Feature Flag Enabled')] : [];
    default:
      return [];
  }
}

export function astronomyBehaviour(world: AppWorld): ContainerBehaviour {
  const svcOf = (ctx: ContainerContext) => serviceOf(ctx.image);
  return {
    start(ctx) {
      const svc = svcOf(ctx);
      const ports = ((ctx.pod.spec?.containers ?? []) as any[]).find((c) => c.name === ctx.containerName)?.ports?.map((p: any) => Number(p.containerPort)) ?? [8080];
      world.record(ctx, { binary: svc, ports, servingFromMs: world.now() });
      return { kind: 'running', lines: startLines(svc, world.now(), ctx.pod) };
    },
    logsBetween(ctx, fromMs, toMs) {
      const svc = svcOf(ctx);
      const info = world.byContext.get(ctx);
      if (!info) return [];
      const on = flagValues(world, ctx.namespace);
      const step = 2000;
      const out: string[] = [];
      const first = Math.ceil((fromMs - info.startMs) / step);
      for (let k = Math.max(1, first); ; k++) {
        const t = info.startMs + k * step;
        if (t >= toMs || out.length > 4000) break;
        out.push(...requestLines(svc, t, k, on, ctx.pod.metadata.uid ?? svc));
      }
      return out;
    },
    usage(ctx, nowMs) {
      const svc = svcOf(ctx);
      const on = flagValues(world, ctx.namespace);
      const info = world.byContext.get(ctx);
      const upMin = info ? Math.max(0, nowMs - info.startMs) / 60_000 : 0;
      const mi = 1024 * 1024;
      const base: Record<string, [number, number]> = { ad: [12, 180], cart: [6, 60], checkout: [3, 14], 'product-catalog': [2, 12], payment: [4, 70], recommendation: [5, 60], 'fraud-detection': [8, 220], frontend: [10, 120], kafka: [20, 420], 'load-generator': [30, 160], currency: [2, 10], email: [2, 50], shipping: [2, 12], quote: [2, 30], accounting: [4, 90] };
      let [cpu, mem] = base[svc] ?? [3, 40];
      if (svc === 'ad' && on.adHighCpu) cpu = 3900; // four busy threads, no CPU limit in the chart
      if (svc === 'ad' && on.adManualGc) { cpu += 600; mem = 275; } // heap filled toward the 300Mi limit
      if (svc === 'recommendation' && on.recommendationCacheFailure) { cpu += Math.min(400, 20 * upMin); mem = Math.min(495, mem + 12 * upMin); } // the cached list grows per miss
      if (svc === 'fraud-detection' && on.kafkaQueueProblems) cpu += 40;
      return { cpuMillis: cpu, memoryBytes: mem * mi };
    },
    exec(ctx, command, stdin) {
      const sh = shellEnv(ctx, (argv) => netTools(world, ctx, argv, ['wget', 'nc', 'nslookup']));
      const r = new Shell(sh).exec(command, stdin ?? '', false);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },
  };
}

/** flagd: serves the flags of its mounted file; logs its start and the flags file it watches. */
export function flagdBehaviour(world: AppWorld): ContainerBehaviour {
  return {
    start(ctx) {
      const now = world.now();
      world.record(ctx, { binary: 'flagd', ports: [8013, 8016, 4000], servingFromMs: now });
      const argv = [...ctx.command, ...ctx.args];
      const uri = argv.find((a) => a.startsWith('file:'))?.slice(5) ?? '/etc/flagd/demo.flagd.json';
      const t = now / 1000;
      const j = (caller: string, msg: string, extra: Record<string, unknown> = {}) => JSON.stringify({ level: 'info', ts: Number(t.toFixed(6)), caller, msg, ...extra });
      const on = [...flagsOn(world, ctx.namespace)];
      return {
        kind: 'running',
        lines: [
          '                 ______   __       ________   _______    ______',
          '                /_____/\\ /_/\\     /_______/\\ /______/\\  /_____/\\',
          '                \\::::_\\/_\\:\\ \\    \\::: _  \\ \\\\::::__\\/__\\:::_ \\ \\',
          '                 \\:\\/___/\\\\:\\ \\    \\::(_)  \\ \\\\:\\ /____/\\\\:\\ \\ \\ \\',
          '                  \\:::._\\/ \\:\\ \\____\\:: __  \\ \\\\:\\\\_  _\\/ \\:\\ \\ \\ \\',
          '                   \\:\\ \\    \\:\\/___/\\\\:.\\ \\  \\ \\\\:\\_\\ \\ \\  \\:\\/.:| |',
          '                    \\_\\/     \\_____\\/ \\__\\/\\__\\/ \\_____\\/   \\____/_/',
          '',
          j('flagd/main.go:17', 'flagd version: v0.11.1 (e5a7a2a), built at: 2024-07-03T17:33:52Z', { component: 'start' }),
          j('file/filepath_sync.go:37', `Starting filepath sync notifier`, { component: 'sync', sync: 'filepath' }),
          j('file/filepath_sync.go:62', `watching filepath: ${uri}`, { component: 'sync', sync: 'filepath' }),
          j('store/flags.go:177', 'configuration change (write) for flagKey adFailure (' + uri + ')', { component: 'store' }),
          ...(on.length ? [j('store/flags.go:177', `flags with a non-off default variant: ${on.join(', ')}`, { component: 'store' })] : []),
          j('flag-evaluation/connect_service.go:248', 'metrics and probes listening at 8014', { component: 'service' }),
          j('ofrep/ofrep_service.go:58', 'ofrep service listening at 8016', { component: 'service' }),
          j('flag-evaluation/connect_service.go:228', 'Flag IResolver listening at [::]:8013', { component: 'service' }),
        ],
      };
    },
    exec(ctx, command, stdin) {
      const sh = shellEnv(ctx, (argv) => netTools(world, ctx, argv, ['wget', 'nc']));
      const r = new Shell(sh).exec(command, stdin ?? '', false);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },
  };
}

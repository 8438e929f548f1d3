/**
 * What the TiDB images do on the embedded cluster: the operator's controller manager (its log is the operator's
 * own, see operator.ts), its discovery service, and PD, TiKV and TiDB servers that start and serve (v3.0.8 log format).
 */
import type { ContainerBehaviour } from '../../contracts';
import type { OperatorLog } from './operator-log';

function tidbTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)} +00:00`;
}

function line(ms: number, where: string, message: string, fields = ''): string {
  return `[${tidbTime(ms)}] [INFO] [${where}] ["${message}"]${fields ? ` ${fields}` : ''}`;
}

/** pingcap/tidb-operator: the controller manager, or the discovery service of a cluster. */
export function operatorImageBehaviour(log: OperatorLog, now: () => number): ContainerBehaviour {
  return {
    start(ctx) {
      if (ctx.command.some((a) => a.includes('tidb-discovery'))) {
        return { kind: 'running', lines: [`${new Date(now()).toISOString()} tidb-discovery: starting discovery service for TidbCluster ${ctx.env.TC_NAME ?? ''} on :10261 (proxy :10262)`] };
      }
      return { kind: 'running', lines: [] };
    },
    logsBetween(ctx, fromMs, toMs) {
      return ctx.command.some((a) => a.includes('tidb-controller-manager')) ? log.between(fromMs, toMs) : [];
    },
    usage: () => ({ cpuMillis: 6, memoryBytes: 48 * 1024 * 1024 }),
  };
}

/** pingcap/pd, pingcap/tikv, pingcap/tidb servers: start lines, then they serve. */
export function serverBehaviour(component: 'pd' | 'tikv' | 'tidb', now: () => number): ContainerBehaviour {
  return {
    start(ctx) {
      const t = now();
      const version = ctx.image.split(':')[1] ?? 'latest';
      const pod = String(ctx.pod.metadata.name);
      const ns = ctx.namespace;
      const cluster = ctx.env.CLUSTER_NAME ?? '';
      const lines = {
        pd: [
          line(t, 'util.go:59', 'Welcome to Placement Driver (PD).'),
          line(t, 'util.go:60', 'Release Version', `[release-version=${version}]`),
          line(t + 5, 'server.go:217', 'init cluster id', '[cluster-id=6827352847223452173]'),
          line(t + 40, 'leader.go:262', 'campaign pd leader', `[campaign-pd-leader-name=${pod}]`),
          line(t + 60, 'server.go:1060', 'PD cluster leader is ready to serve', `[pd-leader-name=${pod}]`),
        ],
        tikv: [
          line(t, 'lib.rs:53', 'Welcome to TiKV.'),
          line(t, 'lib.rs:58', 'Release Version:   ' + version.replace(/^v/, '')),
          line(t + 20, 'util.rs:466', 'connecting to PD endpoint', `[endpoints=http://${cluster}-pd:2379]`),
          line(t + 60, 'server.rs:241', 'TiKV is ready to serve'),
        ],
        tidb: [
          line(t, 'printer.go:41', 'Welcome to TiDB.', `["Release Version"=${version}]`),
          line(t + 30, 'tidb.go:72', 'new domain', `[store=tikv-${cluster}] ["ddl lease"=45s] ["stats lease"=3s]`),
          line(t + 90, 'server.go:215', 'server is running MySQL protocol', '[addr=0.0.0.0:4000]'),
          line(t + 90, 'http_status.go:80', 'for status and metrics report', `[listening on addr=0.0.0.0:10080] [pod=${pod}.${ns}]`),
        ],
      }[component];
      return { kind: 'running', lines };
    },
    usage: () => ({ cpuMillis: component === 'tikv' ? 40 : 15, memoryBytes: (component === 'tidb' ? 180 : component === 'tikv' ? 260 : 90) * 1024 * 1024 }),
  };
}

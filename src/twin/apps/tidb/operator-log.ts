/**
 * The controller manager's log: klog lines (`I1207 17:20:01.123456       1 file.go:123] message`) kept with their
 * cluster time, for the operator pod's `kubectl logs`.
 */
import type { Clock } from '../../cluster/clock';

const MAX_LINES = 5000;

function klogTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}${p(Math.floor((ms * 1000) % 1000), 3)}`;
}

export class OperatorLog {
  private readonly lines: Array<{ ms: number; text: string }> = [];

  constructor(private readonly clock: Clock) {}

  info(where: string, message: string): void {
    this.add('I', where, message);
  }

  error(where: string, message: string): void {
    this.add('E', where, message);
  }

  /** The lines a controller manager prints when it starts and takes the leader lease. */
  start(): void {
    this.info('main.go:108', 'FLAG: --auto-failover="true"');
    this.info('main.go:108', 'FLAG: --cluster-scoped="true"');
    this.info('main.go:108', 'FLAG: --tidb-discovery-image="pingcap/tidb-operator:v1.6.0"');
    this.info('version.go:38', 'Welcome to TiDB Operator.');
    this.info('version.go:39', 'TiDB Operator Version: version.Info{GitVersion:"v1.6.0", GitCommit:"", GitTreeState:"clean", BuildDate:"2024-06-21T07:02:54Z", GoVersion:"go1.21.10", Compiler:"gc", Platform:"linux/amd64"}');
    this.info('leaderelection.go:250', 'attempting to acquire leader lease tidb-admin/tidb-controller-manager...');
    this.info('leaderelection.go:260', 'successfully acquired lease tidb-admin/tidb-controller-manager');
    this.info('main.go:221', 'cache of informer factories sync successfully');
    this.info('tidb_cluster_controller.go:124', 'Starting tidbcluster controller');
  }

  private add(level: 'I' | 'E', where: string, message: string): void {
    const ms = this.clock.now();
    this.lines.push({ ms, text: `${level}${klogTime(ms)}       1 ${where}] ${message}` });
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  /** The lines printed in [fromMs, toMs). */
  between(fromMs: number, toMs: number): string[] {
    return this.lines.filter((l) => l.ms >= fromMs && l.ms < toMs).map((l) => l.text);
  }
}

import type { KubeObject } from '../contracts';
import type { ClusterContext } from './context';

/**
 * A controller driven by one work queue of `namespace/name` keys, as Kubernetes' controllers are: register() routes the
 * queue to sync(), which reconciles the one object the key names.
 */
export abstract class QueueController {
  constructor(protected readonly ctx: ClusterContext, private readonly queueName: string) {}

  register(): void {
    this.ctx.queue.register(this.queueName, (key) => this.sync(key));
  }

  protected abstract sync(key: string): void;

  /** The object a key names, unless it is gone or being deleted (then there is nothing to reconcile). */
  protected live(resource: string, key: string): { object: KubeObject; namespace: string; name: string } | undefined {
    const [namespace, name] = key.split('/');
    const object = this.ctx.store.get(resource, namespace, name);
    return object && !object.metadata.deletionTimestamp ? { object, namespace, name } : undefined;
  }
}

import type { KubeObject } from '../contracts';
import type { ClusterContext } from './context';

/**
 * A controller driven by one work queue of `namespace/name` keys, as Kubernetes' controllers are: register() routes the
 * queue to sync().
 */
export abstract class QueueController {
  protected abstract readonly queueName: string;

  constructor(protected readonly ctx: ClusterContext) {}

  register(): void {
    this.ctx.queue.register(this.queueName, (key) => this.sync(key));
  }

  protected abstract sync(key: string): void;
}

/** A controller of one kind of object: a key whose object is gone or being deleted needs nothing; others reconcile. */
export abstract class ObjectController extends QueueController {
  /** The store resource the keys name (e.g. `deployments.apps`). */
  protected abstract readonly resource: string;

  protected override sync(key: string): void {
    const [namespace, name] = key.split('/');
    const object = this.ctx.store.get(this.resource, namespace, name);
    if (object && !object.metadata.deletionTimestamp) this.reconcile(object, namespace, name);
  }

  protected abstract reconcile(object: KubeObject, namespace: string, name: string): void;
}

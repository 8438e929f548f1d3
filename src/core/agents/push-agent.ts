import type { Agent, AgentContext, AgentTurn } from './types';

/**
 * An agent whose replies are pushed from outside (the HTTP step API, the human REPL, a VS Code chat): the
 * orchestrator's loop awaits `getAction`, and `reply()` hands it the next turn. Lets interactive sessions use the
 * very same loop, budgets and recording as autonomous ones.
 */
export class PushAgent implements Agent {
  context: AgentContext | undefined;
  /** The observation the agent is currently asked to act on. */
  currentObservation: string | undefined;
  private waiting: { resolve: (turn: AgentTurn) => void; reject: (error: Error) => void } | undefined;
  private readonly contextWaiters: Array<(context: AgentContext) => void> = [];
  private readonly askWaiters: Array<(observation: string) => void> = [];
  private closed = false;

  constructor(readonly name: string) {}

  initContext(context: AgentContext): void {
    this.context = context;
    for (const waiter of this.contextWaiters.splice(0)) waiter(context);
  }

  getAction(observation: string): Promise<AgentTurn> {
    this.currentObservation = observation;
    return new Promise<AgentTurn>((resolve, reject) => {
      if (this.closed) return reject(new Error('The interactive session was closed.'));
      this.waiting = { resolve, reject };
      for (const waiter of this.askWaiters.splice(0)) waiter(observation);
    });
  }

  /** True when the loop is waiting for a reply. */
  get isWaiting(): boolean {
    return this.waiting !== undefined;
  }

  /** Hands the loop its next turn; throws when it is not waiting for one. */
  reply(turn: AgentTurn): void {
    const waiting = this.waiting;
    if (!waiting) throw new Error('The session is not waiting for an action (it has not started yet, is busy, or has ended).');
    this.waiting = undefined;
    waiting.resolve(turn);
  }

  /** Resolves with the context once the session has deployed the app and injected the fault. */
  whenContext(): Promise<AgentContext> {
    if (this.context) return Promise.resolve(this.context);
    return new Promise((resolve) => this.contextWaiters.push(resolve));
  }

  /** Resolves with the next observation the loop asks the agent to act on. */
  whenAsked(): Promise<string> {
    if (this.waiting && this.currentObservation !== undefined) return Promise.resolve(this.currentObservation);
    return new Promise((resolve) => this.askWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(new Error('The interactive session was closed.'));
  }
}

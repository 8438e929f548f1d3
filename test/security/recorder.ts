/**
 * Counts escape attempts and legitimate commands across the security tests, and prints the totals once at the end
 * of the run (a root-level `after` hook, registered by the first test file that loads this module).
 */
export interface Outcome {
  layer: string;
  name: string;
  observation: string;
}

class SecurityRecorder {
  readonly refused: Outcome[] = [];
  readonly crossed: Outcome[] = [];
  readonly working: Outcome[] = [];
  readonly broken: Outcome[] = [];

  /** An attack: `crossed` when it reached what it aimed at (a secret in the output, a file written, a host reached). */
  attempt(outcome: Outcome, crossed: boolean): void {
    (crossed ? this.crossed : this.refused).push(outcome);
  }

  /** A command the oracle, the baseline or an SRE uses: it must still work. */
  legitimate(outcome: Outcome, works: boolean): void {
    (works ? this.working : this.broken).push(outcome);
  }

  summary(): string {
    return `escape attempts: ${this.refused.length} refused, ${this.crossed.length} crossed; legitimate commands: ${this.working.length} working, ${this.broken.length} broken`;
  }
}

export const securityRecorder = new SecurityRecorder();

after(() => {
  if (securityRecorder.refused.length + securityRecorder.crossed.length + securityRecorder.working.length + securityRecorder.broken.length === 0) return;
  process.stdout.write(`\n  ${securityRecorder.summary()}\n`);
  for (const o of [...securityRecorder.crossed, ...securityRecorder.broken]) process.stdout.write(`    ${o.layer}: ${o.name}: ${o.observation.slice(0, 200)}\n`);
});

import type { FaultSpec } from '../../core/problems/types';

/** The object a fault is aimed at: its target, else the Service or Deployment its parameters name. */
export function faultTarget(fault: FaultSpec): string | undefined {
  const { service, deployment } = fault.params;
  return fault.target ?? (typeof service === 'string' ? service : undefined) ?? (typeof deployment === 'string' ? deployment : undefined);
}

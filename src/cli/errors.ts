/** A mistake the user can fix: printed as one line, no stack trace. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** Error classes from the engine that describe the user's input or setup, not a bug. */
const USER_ERROR_NAMES = new Set(['ConfigError', 'CatalogError', 'ClusterUnavailableError', 'AgentIdentityMissingError', 'AgentError', 'ProblemNotFoundError', 'UnknownAgentError', 'PriceFileError', 'RegistryError']);

export function isUserFacing(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return USER_ERROR_NAMES.has(error.name) || USER_ERROR_NAMES.has(error.constructor.name) || /not found in registry|not found\. Did you mean|not registered/.test(error.message);
}

export function reportError(error: unknown): number {
  if (isUserFacing(error)) {
    const message = (error as { userMessage?: string }).userMessage ?? (error as Error).message;
    process.stderr.write(`aiopslab: ${message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`aiopslab: unexpected error: ${message}\n`);
  if (process.env.AIOPSLAB_DEBUG && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  else process.stderr.write('(set AIOPSLAB_DEBUG=1 to see the stack trace, and please report it)\n');
  return 3;
}

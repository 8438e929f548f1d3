/** What kind of mistake a reply made; stable identifiers for tests, the session record and the CLI. */
export type ParseErrorCode =
  | 'no-call' // no code block and no bare call
  | 'empty-block' // a code block with nothing in it
  | 'not-a-call' // a code block whose content is not `name(...)`
  | 'multiple-calls' // more than one call (in one block or across blocks)
  | 'syntax' // the call is not valid Python-literal syntax
  | 'unquoted-command' // exec_shell(kubectl get pods)
  | 'invalid-argument' // well-formed, but an argument the API cannot take (e.g. exec_shell(123))
  | 'too-deep' // nesting beyond the depth limit
  | 'internal'; // a bug in the parser; still reported as a ResponseParsingError

export interface ErrorPosition {
  /** 0-based offset in the reply (after CRLF normalisation). */
  offset: number;
  /** 1-based line and column in the reply. */
  line: number;
  column: number;
}

/**
 * The only error `parseResponse` throws. `message` is written for the agent: it says what was wrong and shows the
 * correct form. It starts with "Error parsing response: " like the original's `str(e)` (but never twice).
 */
export class ResponseParsingError extends Error {
  override readonly name = 'ResponseParsingError';
  constructor(
    message: string,
    readonly code: ParseErrorCode,
    readonly position?: ErrorPosition,
  ) {
    super(message);
  }
}

/** Internal: a syntax problem at an offset, turned into a ResponseParsingError by the response layer. */
export class SyntaxIssue {
  constructor(
    readonly offset: number,
    readonly detail: string,
    readonly code: ParseErrorCode = 'syntax',
  ) {}
}

/**
 * API errors: a StoreError that carries the exact `Status` object the real apiserver would send.
 */
import type { StoreError } from '../contracts';

export interface StatusCause { reason?: string; message?: string; field?: string }
export interface StatusDetails { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number }
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

type Reason = StoreError['reason'] | 'Gone' | 'Expired' | 'UnsupportedMediaType' | 'RequestEntityTooLarge' | 'InternalError' | 'NotAcceptable' | 'Timeout';

export class ApiError extends Error implements StoreError {
  readonly code: number;
  readonly reason: StoreError['reason'];
  readonly details?: StatusDetails;
  /** The wire reason; may be one StoreError does not list (Gone, UnsupportedMediaType, ...). */
  readonly wireReason: Reason | '';
  constructor(code: number, reason: Reason | '', message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.wireReason = reason;
    this.reason = (reason || 'BadRequest') as StoreError['reason'];
    this.details = details;
  }
  toStatus(): Status {
    return statusOf(this.code, this.wireReason, this.message, this.details);
  }
}

export function statusOf(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code };
  if (reason) s.reason = reason;
  if (details) s.details = details;
  return s;
}

/** `pods`, `deployments.apps`: how the apiserver names a resource in messages. */
export function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(resource: string, group: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, detailsOf(resource, group, name));
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, detailsOf(resource, group, name));
}

export function conflict(resource: string, group: string, name: string): ApiError {
  return new ApiError(409, 'Conflict',
    `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsOf(resource, group, name));
}

export interface FieldError { field: string; type: 'Required' | 'Invalid' | 'Forbidden' | 'Unsupported' | 'Duplicate' | 'NotSupported'; value?: unknown; detail?: string }

const causeReason: Record<FieldError['type'], string> = {
  Required: 'FieldValueRequired', Invalid: 'FieldValueInvalid', Forbidden: 'FieldValueForbidden',
  Unsupported: 'FieldValueNotSupported', NotSupported: 'FieldValueNotSupported', Duplicate: 'FieldValueDuplicate',
};

/** Formats a value the way the apiserver's field errors print it (Go `%#v`-like for the common shapes). */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return String((v as { toJSON(): string }).toJSON());
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (!Array.isArray(v) && typeof v === 'object' && Object.values(v).every((x) => typeof x === 'string')) {
    const o = v as Record<string, string>;
    return `map[string]string{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(o[k])}`).join(', ')}}`;
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  return JSON.stringify(v);
}

function fieldMessage(e: FieldError): string {
  switch (e.type) {
    case 'Required': return `Required value${e.detail ? ': ' + e.detail : ''}`;
    case 'Forbidden': return `Forbidden${e.detail ? ': ' + e.detail : ''}`;
    case 'Duplicate': return `Duplicate value: ${goValue(e.value)}`;
    case 'Unsupported': case 'NotSupported': return `Unsupported value: ${goValue(e.value)}${e.detail ? ': ' + e.detail : ''}`;
    default: return `Invalid value: ${goValue(e.value)}${e.detail ? ': ' + e.detail : ''}`;
  }
}

/** `Deployment.apps "x" is invalid: spec.selector: Required value` (several errors: `[a, b]`). */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const parts = errors.map((e) => `${e.field}: ${fieldMessage(e)}`);
  const msg = `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`;
  return new ApiError(422, 'Invalid', msg, {
    name, group: group || undefined, kind,
    causes: errors.map((e) => ({ reason: causeReason[e.type], message: fieldMessage(e), field: e.field })),
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function forbidden(resource: string, group: string, name: string, why: string): ApiError {
  return new ApiError(403, 'Forbidden', `${qualified(resource, group)} "${name}" is forbidden: ${why}`, detailsOf(resource, group, name));
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message, {});
}

export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

function detailsOf(resource: string, group: string, name: string): StatusDetails {
  const d: StatusDetails = { name, kind: resource };
  if (group) d.group = group;
  return d;
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const any = e as { code?: unknown; reason?: unknown; message?: unknown };
  if (any && typeof any.code === 'number' && typeof any.reason === 'string') {
    return new ApiError(any.code, any.reason as Reason, String(any.message ?? any.reason));
  }
  return new ApiError(500, 'InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`);
}

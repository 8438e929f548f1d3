/** Image references: validation, normalization (as containerd reports them) and deterministic digests. */
import { hexHash } from './util';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?)';
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);

export function isValidImageReference(image: string): boolean {
  return image.length > 0 && image.length <= 255 && REFERENCE.test(image);
}

/** `nginx` → `docker.io/library/nginx:latest`; `foo/bar:1` → `docker.io/foo/bar:1`. */
export function normalizeImage(image: string): string {
  let name = image;
  let digest = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at);
    name = name.slice(0, at);
  }
  const parts = name.split('/');
  const first = parts[0];
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) {
    if (parts.length === 1) parts.unshift('library');
    parts.unshift('docker.io');
  }
  name = parts.join('/');
  const lastSlash = name.lastIndexOf('/');
  if (!digest && !name.slice(lastSlash + 1).includes(':')) name += ':latest';
  return name + digest;
}

/** The repository part of a normalized reference (no tag, no digest). */
export function repositoryOf(image: string): string {
  const n = normalizeImage(image);
  const at = n.indexOf('@');
  const noDigest = at >= 0 ? n.slice(0, at) : n;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash);
  return colon >= 0 ? noDigest.slice(0, colon) : noDigest;
}

export function imageDigest(image: string): string {
  return `sha256:${hexHash(`digest:${normalizeImage(image)}`, 64)}`;
}

/** `docker.io/library/nginx@sha256:…`, as containerStatuses[].imageID shows. */
export function imageID(image: string): string {
  return `${repositoryOf(image)}@${imageDigest(image)}`;
}

export function imageSize(image: string): number {
  return 20_000_000 + (parseInt(hexHash(`size:${normalizeImage(image)}`, 8), 16) % 180_000_000);
}

/** The kubelet's default pull policy: Always for `:latest` or untagged images, IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  if (colon < 0) return 'Always';
  return last.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

/** What containerd says when a reference does not exist in its registry. */
export function notFoundMessage(image: string): string {
  const n = normalizeImage(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${n}": failed to resolve reference "${n}": ${n}: not found`;
}

/**
 * The twin cannot ask a registry which images exist, so it decides: an image exists unless its reference carries an
 * obvious "this does not exist" marker in a path component or its tag — `nginx:does-not-exist`, `nginx:nonexistent`,
 * `busybox:0.0.0-bogus`, `example.com/missing/app:1`, `app:invalid-tag` — or a behaviour says its pull fails (the
 * apps layer's `registerMissingImage`). Every image the app manifests and the charts use pulls.
 */
const MISSING_MARKER = /(^|[-_.])(does-?not-?exist|non-?existent|not-?exist(s|ing)?|no-?such|bogus|missing|invalid|bad-?tag|typo)([-_.]|$)/i;

export function obviouslyMissingImage(image: string): boolean {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  return ref.split(/[/:]/).some((part) => MISSING_MARKER.test(part));
}

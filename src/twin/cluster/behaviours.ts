/**
 * The container behaviour registry: what a container of a given image does (its start outcome, logs, exec answers,
 * resource use). The apps layer registers behaviours for real images; everything else gets the default behaviour.
 *
 * Patterns: an exact reference (`mongo:4.4.6`), a glob with `*` (`yinfangchen/hotelreservation:*`, `docker.io/*`), a
 * RegExp, or a predicate. They are matched against the reference as written in the pod spec and against its
 * normalized form (`docker.io/library/mongo:4.4.6`). The most recent registration that matches wins.
 */
import type { ContainerBehaviour } from '../contracts';
import { defaultBehaviour } from './default-behaviour';
import { normalizeImage, notFoundMessage, obviouslyMissingImage } from './images';

export type ImagePattern = string | RegExp | ((image: string) => boolean);

interface Entry {
  test: (image: string) => boolean;
  behaviour: ContainerBehaviour;
}

function compile(pattern: ImagePattern): (image: string) => boolean {
  if (typeof pattern === 'function') return pattern;
  if (pattern instanceof RegExp) return (image) => pattern.test(image) || pattern.test(normalizeImage(image));
  if (!pattern.includes('*')) {
    const n = safeNormalize(pattern);
    return (image) => image === pattern || safeNormalize(image) === n;
  }
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (image) => re.test(image) || re.test(safeNormalize(image));
}

function safeNormalize(image: string): string {
  try {
    return normalizeImage(image);
  } catch {
    return image;
  }
}

/** A behaviour whose every start is a failed pull with the registry's "not found" answer. */
export function missingImageBehaviour(message?: (image: string) => string): ContainerBehaviour {
  return {
    start: (ctx) => ({ kind: 'image-pull-error', message: message ? message(ctx.image) : notFoundMessage(ctx.image) }),
  };
}

const MISSING_IMAGE = missingImageBehaviour();

/** The pause image (what Chaos Mesh pod-failure swaps in): runs, prints nothing, uses almost nothing. */
export const pauseBehaviour: ContainerBehaviour = {
  start: () => ({ kind: 'running', lines: [] }),
  exec: (_ctx, command) => ({ stdout: '', stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${command[0] ?? ''}": executable file not found in $PATH: unknown\n`, exitCode: 126 }),
  usage: () => ({ cpuMillis: 0, memoryBytes: 300 * 1024 }),
};

export class BehaviourRegistry {
  private entries: Entry[] = [{ test: compile(/(^|\/)pause:[^/]*$/), behaviour: pauseBehaviour }];
  private fallback: ContainerBehaviour = defaultBehaviour;

  /** Registers a behaviour for images matching `pattern`; returns a function that unregisters it. */
  register(pattern: ImagePattern, behaviour: ContainerBehaviour): () => void {
    const entry: Entry = { test: compile(pattern), behaviour };
    this.entries.push(entry);
    return () => {
      this.entries = this.entries.filter((e) => e !== entry);
    };
  }

  /** Images matching `pattern` do not exist in any registry: pulling them fails (ErrImagePull → ImagePullBackOff). */
  registerMissingImage(pattern: ImagePattern): () => void {
    return this.register(pattern, missingImageBehaviour());
  }

  /** Replaces the default behaviour (the one used when nothing matches). */
  setDefault(behaviour: ContainerBehaviour): void {
    this.fallback = behaviour;
  }

  resolve(image: string): ContainerBehaviour {
    // Before any registration: a behaviour registered for `app:*` must not make `app:does-not-exist` pull.
    if (obviouslyMissingImage(image)) return MISSING_IMAGE;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i].test(image)) return this.entries[i].behaviour;
    }
    return this.fallback;
  }
}

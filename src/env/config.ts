import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEnv } from 'node:util';
import YAML from 'yaml';
import { z } from 'zod';

/**
 * One configuration for every surface: the YAML file (`aiopslab.config.yaml` in the working folder, or --config),
 * then environment overrides (`AIOPSLAB_*`, also from a `.env` file), then CLI flags or VS Code settings. Keys
 * (API keys) are never read from or written to this file: they live in the environment or VS Code SecretStorage.
 */
export const ConfigSchema = z
  .object({
    resultsDir: z.string().default('aiopslab-results'),
    /** `embedded` (the twin) or the name of a kubeconfig context of a real cluster. */
    cluster: z.string().default('embedded'),
    maxSteps: z.number().int().positive().default(30),
    /** Wall-clock budget of the agent loop, minutes (0 = none). */
    wallClockMinutes: z.number().nonnegative().default(30),
    /** Default and maximum exec_shell timeouts, seconds. */
    execTimeoutSec: z.number().positive().default(30),
    execTimeoutCapSec: z.number().positive().default(300),
    /** Largest observation passed to an agent, characters. */
    outputCapChars: z.number().int().nonnegative().default(20000),
    shellPolicy: z.enum(['open', 'guarded']).default('guarded'),
    /**
     * The OS sandbox around the agent's exec_shell under the guarded policy: `auto` wherever this machine can run it
     * (Linux with bubblewrap and socat), `off` for the policy alone.
     */
    sandbox: z.enum(['auto', 'off']).default('auto'),
    /**
     * Whom the agent acts as on a real cluster: `serviceaccount` (its own, installed by `aiopslab cluster setup`) or
     * `kubeconfig` (the configured context's own credentials: the agent can then do whatever you can; results say so).
     */
    agentIdentity: z.enum(['serviceaccount', 'kubeconfig']).default('serviceaccount'),
    /** Log de-duplication block size (the original's LOG_TRIM); 0 = off. */
    logDedup: z.number().int().nonnegative().default(3),
    workload: z.enum(['steady', 'original']).default('steady'),
    /** How long a deploy waits for the app's pods, seconds (default: 60 on the embedded cluster, 600 on a real one, where images are pulled). */
    readyTimeoutSeconds: z.number().positive().optional(),
    /** Settle window over which mitigation is judged, seconds. */
    settleSeconds: z.number().nonnegative().default(10),
    serve: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(1818) }).prefault({}),
  })
  .strict();

export type AiopsConfig = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export interface LoadConfigOptions {
  cwd?: string;
  /** Explicit config file; an error when missing. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: Partial<AiopsConfig>;
}

export const DEFAULT_CONFIG_FILE = 'aiopslab.config.yaml';

export function loadConfig(options: LoadConfigOptions = {}): AiopsConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = options.file ? path.resolve(cwd, options.file) : path.join(cwd, DEFAULT_CONFIG_FILE);
  let fromFile: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = YAML.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${file}: expected a mapping of settings at the top level.`);
      fromFile = parsed as Record<string, unknown>;
    }
  } else if (options.file) {
    throw new ConfigError(`Config file ${file} does not exist.`);
  }
  const merged = { ...fromFile, ...envOverrides(env), ...stripUndefined(options.overrides ?? {}) };
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new ConfigError(`${fs.existsSync(file) ? file : 'configuration'}: ${where}: ${issue.message}`);
  }
  const config = result.data;
  config.resultsDir = path.resolve(cwd, config.resultsDir);
  return config;
}

function envOverrides(env: NodeJS.ProcessEnv): Partial<Record<keyof AiopsConfig, unknown>> {
  const out: Partial<Record<keyof AiopsConfig, unknown>> = {};
  if (env.AIOPSLAB_RESULTS_DIR) out.resultsDir = env.AIOPSLAB_RESULTS_DIR;
  if (env.AIOPSLAB_CLUSTER_CONTEXT) out.cluster = env.AIOPSLAB_CLUSTER_CONTEXT;
  if (env.AIOPSLAB_SHELL_POLICY) out.shellPolicy = env.AIOPSLAB_SHELL_POLICY;
  if (env.AIOPSLAB_SANDBOX) out.sandbox = env.AIOPSLAB_SANDBOX;
  if (env.AIOPSLAB_AGENT_IDENTITY) out.agentIdentity = env.AIOPSLAB_AGENT_IDENTITY;
  if (env.AIOPSLAB_MAX_STEPS) out.maxSteps = Number(env.AIOPSLAB_MAX_STEPS);
  // The original's LOG_TRIM keeps working.
  if (env.LOG_TRIM !== undefined && /^\d+$/.test(env.LOG_TRIM)) out.logDedup = Number(env.LOG_TRIM);
  return out;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Loads `.env` from the working folder into `env` without overriding variables already set (keys stay out of files we write). */
export function loadDotEnv(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string[] {
  const file = path.join(cwd, '.env');
  if (!fs.existsSync(file)) return [];
  const values = parseEnv(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  const loaded: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (env[key] === undefined) {
      env[key] = value;
      loaded.push(key);
    }
  }
  return loaded;
}

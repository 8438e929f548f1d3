/**
 * VS Code settings (`aiopslab.*`) → engine configuration overrides (src/env/config.ts). Settings left at their
 * defaults are not passed, so `aiopslab.config.yaml` and `AIOPSLAB_*` variables keep working underneath.
 */
import type { AiopsConfig } from '../../env/config';

export interface SettingSpec {
  key: string;
  field: keyof AiopsConfig;
  type: 'string' | 'number' | 'integer';
  enum?: string[];
  default: string | number;
  description: string;
  minimum?: number;
}

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'resultsFolder', field: 'resultsDir', type: 'string', default: '', description: 'Folder for session records and the results index (index.jsonl), relative to the first workspace folder. Empty: the engine default (aiopslab.config.yaml, AIOPSLAB_RESULTS_DIR, else aiopslab-results).' },
  { key: 'cluster', field: 'cluster', type: 'string', default: '', description: 'Cluster to run problems on: "embedded" (the built-in digital twin, starts in under a second) or the name of a kubeconfig context of a real cluster. Empty: the engine default (embedded).' },
  { key: 'maxSteps', field: 'maxSteps', type: 'integer', default: 0, minimum: 0, description: 'Step budget of a session (0: the engine default, 30).' },
  { key: 'shellPolicy', field: 'shellPolicy', type: 'string', enum: ['', 'guarded', 'open'], default: '', description: 'exec_shell policy: "guarded" refuses interactive and destructive host commands, "open" runs what the agent asks. Empty: the engine default (guarded).' },
  { key: 'execTimeoutSeconds', field: 'execTimeoutSec', type: 'number', default: 0, minimum: 0, description: 'Default exec_shell timeout in seconds (0: the engine default, 30).' },
  { key: 'outputCapChars', field: 'outputCapChars', type: 'integer', default: -1, minimum: -1, description: 'Largest observation handed to an agent, in characters; longer output is cut with a notice (-1: the engine default, 20000; 0: no cap).' },
  { key: 'logDedup', field: 'logDedup', type: 'integer', default: -1, minimum: -1, description: 'Log de-duplication block size for get_logs (the original LOG_TRIM; 0 = off, -1: the engine default, 3).' },
  { key: 'workloadMode', field: 'workload', type: 'string', enum: ['', 'steady', 'original'], default: '', description: 'Workload: "steady" keeps traffic flowing during the whole session, "original" runs one wrk2 burst as AIOpsLab does. Empty: the engine default (steady).' },
];

/** Reads each setting with `get` and returns the overrides that differ from "use the engine default". */
export function overridesFromSettings(get: (key: string) => unknown): Partial<AiopsConfig> {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const v = get(s.key);
    if (v === undefined || v === null || v === s.default || v === '') continue;
    if (s.type === 'string') {
      if (typeof v !== 'string') continue;
      out[s.field] = v.trim();
    } else {
      const n = Number(v);
      if (!Number.isFinite(n) || (s.minimum !== undefined && n < s.minimum)) continue;
      if (s.key === 'maxSteps' && n === 0) continue;
      if (s.key === 'execTimeoutSeconds' && n === 0) continue;
      if ((s.key === 'outputCapChars' || s.key === 'logDedup') && n < 0) continue;
      out[s.field] = s.type === 'integer' ? Math.trunc(n) : n;
    }
  }
  return out;
}

/** The `contributes.configuration.properties` entries (written into package.json by scripts/gen-lm-tools.mjs). */
export function configurationProperties(): Record<string, Record<string, unknown>> {
  const props: Record<string, Record<string, unknown>> = {};
  for (const s of SETTINGS) {
    const p: Record<string, unknown> = { type: s.type, default: s.default, markdownDescription: s.description, scope: 'resource' };
    if (s.enum) p.enum = s.enum;
    if (s.minimum !== undefined) p.minimum = s.minimum;
    props[`aiopslab.${s.key}`] = p;
  }
  props['aiopslab.languageModel.protocol'] = {
    type: 'string',
    enum: ['tools', 'text'],
    default: 'tools',
    markdownDescription: 'How a VS Code language model acts as the agent: "tools" (structured tool calls) or "text" (the original text protocol with one fenced API call per reply).',
  };
  props['aiopslab.languageModels.endpoints'] = {
    type: 'array',
    items: { type: 'string', enum: ['gpt', 'deepseek', 'qwen', 'vllm', 'openrouter', 'groq', 'generic'] },
    default: [],
    markdownDescription: 'OpenAI-compatible endpoints (agent names) to offer in VS Code\'s language model picker, e.g. `["vllm", "openrouter"]`, so they can drive `@aiopslab` and other chats. Base URLs and models come from the usual environment variables; keys from **AIOpsLab: Set API Key…**.',
  };
  props['aiopslab.kubectlPath'] = {
    type: 'string',
    default: '',
    markdownDescription: 'kubectl used against the clusters (passed to the engine as `AIOPSLAB_KUBECTL`). Empty: the project\'s pinned kubectl 1.31 when developing, else the kubectl on PATH (1.29 or newer).',
    scope: 'machine-overridable',
  };
  props['aiopslab.recoverOnActivation'] = {
    type: 'boolean',
    default: true,
    markdownDescription: 'When the extension starts, offer to undo faults left behind by a session that crashed or was killed.',
  };
  return props;
}

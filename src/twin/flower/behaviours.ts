/**
 * Container behaviours of the Flower stack (aiopslab-applications flower/compose.yml, flwr 1.15.2) for the twin:
 * superlink, serverapp, supernode-1/2, clientapp-1/2 as pods of namespace `docker` (manifest.ts). A training run
 * starts when the ConfigMap `flwr-run` (key `started`, RFC 3339) exists in that namespace — what `flwr run train
 * local-deployment` does on the real stack (src/env/faults/flower.ts `startFlowerRun`). Timeline of a run (our timings):
 * R+2 s `[INIT]` … `[ROUND 1]`; round r at R+5+20(r−1): fit to one client (clientapp-1 in odd rounds, clientapp-2 in
 * even ones), evaluate to both at +10 s; `[SUMMARY]` after round 3. A round does not start while a supernode is not
 * running (FedAvg waits for min_available_clients=2). A clientapp whose task.py says `nn.Linear(80, 10)` fails every
 * message with the state_dict size-mismatch error.
 */
import type { ContainerBehaviour, ContainerContext, ExecResult, ObjectStore } from '../contracts';
import type { BehaviourRegistry } from '../cluster/behaviours';
import { Shell } from '../cluster/shell';
import { shellEnv } from '../cluster/default-behaviour';
import { DOCKER_NAMESPACE } from './docker-state';

export const RUN_CONFIGMAP = 'flwr-run';
export const FAB_DIR = '/app/.flwr/apps/flwrlabs.train.1.0.0.3b2e5f1c';
export const TASK_PY = `${FAB_DIR}/task.py`;
const ROUNDS = 3;
const ROUND_MS = 20_000;
const FIRST_ROUND_MS = 5_000;

export const TASK_PY_TEXT = `"""train: A Flower / PyTorch app."""

from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F
from flwr_datasets import FederatedDataset
from flwr_datasets.partitioner import IidPartitioner
from torch.utils.data import DataLoader
from torchvision.transforms import Compose, Normalize, ToTensor


class Net(nn.Module):
    """Model (simple CNN adapted from 'PyTorch: A 60 Minute Blitz')"""

    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def set_weights(net, parameters):
    params_dict = zip(net.state_dict().keys(), parameters)
    state_dict = OrderedDict({k: torch.tensor(v) for k, v in params_dict})
    net.load_state_dict(state_dict, strict=True)
`;

/** task.py of each clientapp container (by pod uid): text and edit history, so logs follow the time of a sed. */
interface TaskFile { versions: Array<{ atMs: number; text: string }> }
const taskFiles = new Map<string, TaskFile>();

function fc3InputAt(uid: string, atMs: number): number {
  const f = taskFiles.get(uid);
  let text = TASK_PY_TEXT;
  for (const v of f?.versions ?? []) if (v.atMs <= atMs) text = v.text;
  const m = /self\.fc3 = nn\.Linear\((\d+), 10\)/.exec(text);
  return m ? Number(m[1]) : 84;
}

function runStart(store: ObjectStore): number | undefined {
  const cm = store.get('configmaps', DOCKER_NAMESPACE, RUN_CONFIGMAP);
  const t = Date.parse(String((cm?.data as Record<string, string> | undefined)?.started ?? ''));
  return Number.isFinite(t) ? t : undefined;
}

function running(store: ObjectStore, name: string): { uid: string } | undefined {
  const p = store.get('pods', DOCKER_NAMESPACE, name);
  const st = p?.status?.containerStatuses?.[0];
  return p && st?.state?.running && !p.metadata.annotations?.['twin.aiopslab.io/docker-stop'] ? { uid: String(p.metadata.uid) } : undefined;
}

const I = (m: string) => `INFO :      ${m}`;
const W = (m: string) => `WARNING :   ${m}`;

interface Timed { atMs: number; line: string }

/** Everything the run prints, per container name, up to `nowMs` (current pod states decide stalls). */
function runTimeline(store: ObjectStore, nowMs: number): Map<string, Timed[]> {
  const out = new Map<string, Timed[]>();
  const push = (c: string, atMs: number, ...lines: string[]) => {
    if (atMs > nowMs) return;
    const l = out.get(c) ?? [];
    for (const line of lines) l.push({ atMs, line });
    out.set(c, l);
  };
  const R = runStart(store);
  if (R === undefined) return out;
  push('serverapp', R + 2000, I('Starting Flower ServerApp, config: num_rounds=3, no round_timeout'), I(''), I('[INIT]'), I('Using initial global parameters provided by strategy'), I('Starting evaluation of initial global parameters'), I('Evaluation returned no results (`None`)'), I(''));
  const losses: string[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const t = R + FIRST_ROUND_MS + (r - 1) * ROUND_MS;
    push('serverapp', t, I(`[ROUND ${r}]`));
    if (t <= nowMs && (!running(store, 'supernode-1') || !running(store, 'supernode-2'))) return out; // waits for 2 nodes
    const fitClient = r % 2 === 1 ? 'clientapp-1' : 'clientapp-2';
    const ok = (client: string, atMs: number) => {
      const p = running(store, client);
      return p ? fc3InputAt(p.uid, atMs) === 84 : false;
    };
    const message = (client: string, atMs: number, kind: 'train' | 'evaluate') => {
      const p = running(store, client);
      if (!p) return;
      push(client, atMs, I(`Received: ${kind} message ${messageId(r, client, kind)}`));
      const fc = fc3InputAt(p.uid, atMs);
      if (fc === 84) push(client, atMs + 1500, I('Sent reply'));
      else push(client, atMs + 300, ...clientError(fc));
    };
    push('serverapp', t, I('configure_fit: strategy sampled 1 clients (out of 2)'));
    message(fitClient, t + 500, 'train');
    const fitOk = ok(fitClient, t + 500);
    push('serverapp', t + 8000, I(`aggregate_fit: received ${fitOk ? 1 : 0} results and ${fitOk ? 0 : 1} failures`));
    push('serverapp', t + 10_000, I('configure_evaluate: strategy sampled 2 clients (out of 2)'));
    message('clientapp-1', t + 10_500, 'evaluate');
    message('clientapp-2', t + 10_500, 'evaluate');
    const evOk = ['clientapp-1', 'clientapp-2'].filter((c) => ok(c, t + 10_500)).length;
    push('serverapp', t + 13_000, I(`aggregate_evaluate: received ${evOk} results and ${2 - evOk} failures`), I(''));
    losses.push(`round ${r}: ${(2.2 - 0.18 * r + (evOk < 2 ? 0.05 : 0)).toFixed(4)}`);
  }
  const end = R + FIRST_ROUND_MS + ROUNDS * ROUND_MS;
  push('serverapp', end, I('[SUMMARY]'), I(`Run finished ${ROUNDS} round(s) in ${((end - R) / 1000).toFixed(2)}s`), I('\tHistory (loss, distributed):'), ...losses.map((l) => I(`\t\t${l}`)), I(''));
  return out;
}

function messageId(r: number, client: string, kind: string): string {
  let h = 2166136261;
  for (const ch of `${r}/${client}/${kind}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `${h.toString(16).padStart(8, '0')}-1d2f-4b7a-9c3e-${(h * 7 >>> 0).toString(16).padStart(12, '0').slice(0, 12)}`;
}

function clientError(fcIn: number): string[] {
  return [
    'ERROR :     ClientApp raised an exception',
    'Traceback (most recent call last):',
    '  File "/python/venv/lib/python3.11/site-packages/flwr/client/clientapp/app.py", line 150, in run_clientapp',
    '    reply_message = client_app(message=message, context=context)',
    '  File "/python/venv/lib/python3.11/site-packages/flwr/client/client_app.py", line 143, in __call__',
    '    return self._call(message, context)',
    `  File "${FAB_DIR}/client_app.py", line 31, in fit`,
    '    set_weights(self.net, parameters)',
    `  File "${TASK_PY}", line 38, in set_weights`,
    '    net.load_state_dict(state_dict, strict=True)',
    '  File "/python/venv/lib/python3.11/site-packages/torch/nn/modules/module.py", line 2584, in load_state_dict',
    "    raise RuntimeError(",
    'RuntimeError: Error(s) in loading state_dict for Net:',
    `\tsize mismatch for fc3.weight: copying a param with shape torch.Size([10, 84]) from checkpoint, the shape in current model is torch.Size([10, ${fcIn}]).`,
    '',
  ];
}

const STARTUP: Record<string, (ctx: ContainerContext) => string[]> = {
  superlink: () => [I('Starting Flower SuperLink'), W('Option `--insecure` was set. Starting insecure HTTP server.'), I('Flower Deployment Engine: Starting Exec API on 0.0.0.0:9093'), I('Flower ECE: Starting ServerAppIo API (gRPC-rere) on 0.0.0.0:9091'), I('Flower ECE: Starting Fleet API (gRPC-rere) on 0.0.0.0:9092')],
  supernode: (ctx) => {
    const port = ctx.pod.metadata.name === 'supernode-2' ? 9095 : 9094;
    return [I('Starting Flower SuperNode'), W('Option `--insecure` was set. Starting insecure HTTP channel to superlink:9092.'), I(`Flower Deployment Engine: Starting ClientAppIo API on 0.0.0.0:${port}`)];
  },
  serverapp: () => [W('Option `--insecure` was set. Starting insecure HTTP channel to superlink:9091.')],
  clientapp: (ctx) => [W(`Option \`--insecure\` was set. Starting insecure HTTP channel to ${ctx.pod.metadata.name === 'clientapp-2' ? 'supernode-2:9095' : 'supernode-1:9094'}.`)],
};

function role(ctx: ContainerContext): string {
  const n = ctx.pod.metadata.name ?? '';
  return n.startsWith('supernode') ? 'supernode' : n.startsWith('clientapp') ? 'clientapp' : n;
}

export function flowerBehaviour(now: () => number): ContainerBehaviour {
  const files = (ctx: ContainerContext): Record<string, string> => {
    if (role(ctx) !== 'clientapp' || runStart(ctx.store) === undefined) return { ...ctx.files };
    const uid = String(ctx.pod.metadata.uid);
    const versions = taskFiles.get(uid)?.versions ?? [];
    return { ...ctx.files, [TASK_PY]: versions.length ? versions[versions.length - 1].text : TASK_PY_TEXT };
  };
  return {
    start: (ctx) => ({ kind: 'running', lines: (STARTUP[role(ctx)] ?? (() => []))(ctx) }),
    logsBetween(ctx, fromMs, toMs) {
      const name = ctx.pod.metadata.name ?? '';
      return (runTimeline(ctx.store, toMs).get(name) ?? []).filter((t) => t.atMs > fromMs && t.atMs <= toMs).map((t) => t.line);
    },
    exec(ctx, command, stdin): ExecResult {
      const f = files(ctx);
      const script = command.join(' ');
      const sed = /sed -i '(\d+)s\/([^/]*)\/([^/]*)\/'\s+(\S+)/.exec(script);
      if (sed) {
        const target = Object.keys(f).find((p) => new RegExp(`^${sed[4].replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(p));
        if (!target) return { stdout: '', stderr: `sed: can't read ${sed[4]}: No such file or directory\n`, exitCode: 2 };
        const lines = f[target].split('\n');
        const i = Number(sed[1]) - 1;
        if (lines[i] !== undefined) lines[i] = lines[i].replace(sed[2], sed[3]);
        const uid = String(ctx.pod.metadata.uid);
        const tf = taskFiles.get(uid) ?? { versions: [] };
        tf.versions.push({ atMs: now(), text: lines.join('\n') });
        taskFiles.set(uid, tf);
        return { stdout: '', stderr: '', exitCode: 0 };
      }
      let line = command[0] === 'sh' && command[1] === '-c' ? command.slice(2).join(' ') : command.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
      // The mini shell does not expand globs: expand paths with `*` against the files we know.
      line = line.replace(/\/[^\s'"]*\*[^\s'"]*/g, (g) => {
        const re = new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
        const hits = Object.keys(f).filter((p) => re.test(p)).sort();
        return hits.length ? hits.join(' ') : g;
      });
      const r = new Shell({ ...shellEnv(ctx), files: f }).run(line, stdin ?? '');
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },
    usage: (ctx) => ({ cpuMillis: role(ctx) === 'clientapp' ? 40 : 5, memoryBytes: (role(ctx) === 'clientapp' ? 420 : 90) * 1024 * 1024 }),
  };
}

export function registerFlowerBehaviours(registry: BehaviourRegistry, now: () => number): void {
  const b = flowerBehaviour(now);
  for (const image of ['flwr/superlink:*', 'flwr/supernode:*', 'adityapgupta/flower-server:*', 'adityapgupta/flower-client:*']) registry.register(image, b);
}

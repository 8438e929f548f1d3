import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { actionsForTask, toJsonSchema } from '../../src/core/actions';
import { parseResponse } from '../../src/core/parser';
import { TASK_TYPES } from '../../src/core/tasks/task-type';
import { ConfigSchema } from '../../src/env/config';
import { humanTextToTurn, submitCallFromText } from '../../src/extension/model/chat-input';
import { COMMANDS, contributes } from '../../src/extension/model/manifest';
import { overridesFromSettings, SETTINGS } from '../../src/extension/model/settings';
import { actionOfTool, isChangingCommand, lmToolContributions, submitArgumentsFor, submitUnionSchema } from '../../src/extension/model/tool-schemas';
import { stepChangesCluster } from '../../src/extension/model/command-risk';
import { CLIENT_PROFILES } from '../../src/agents/profiles';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));

describe('extension language-model tools', () => {
  it('offers one tool per agent-facing action with the action\'s own JSON schema', () => {
    const tools = lmToolContributions();
    const actions = actionsForTask('detection').map((a) => a.name).sort();
    assert.deepEqual(tools.map((t) => actionOfTool(t.name)).filter(Boolean).sort(), actions);
    for (const def of actionsForTask('detection')) {
      if (def.name === 'submit') continue;
      const tool = tools.find((t) => t.name === `aiopslab_${def.name}`)!;
      assert.deepEqual(tool.inputSchema, toJsonSchema(def));
      assert.equal(tool.when, 'aiopslab.sessionRunning');
      assert.ok(tool.modelDescription.length > 40);
    }
    assert.equal(actionOfTool('aiopslab_status'), undefined);
  });

  it('merges the four submit signatures and reduces them to the session task', () => {
    const schema = submitUnionSchema();
    assert.deepEqual(Object.keys(schema.properties!).sort(), ['analysis', 'faulty_components', 'has_anomaly']);
    assert.deepEqual(submitArgumentsFor('detection', { has_anomaly: 'Yes' }), { ok: true, args: { has_anomaly: 'Yes' } });
    assert.deepEqual(submitArgumentsFor('localization', { faulty_components: ['geo'] }), { ok: true, args: { faulty_components: ['geo'] } });
    assert.deepEqual(submitArgumentsFor('mitigation', {}), { ok: true, args: {} });
    const wrong = submitArgumentsFor('detection', { faulty_components: ['geo'] });
    assert.equal(wrong.ok, false);
    assert.match(!wrong.ok ? wrong.error : '', /detection task: submit does not take 'faulty_components'; give 'has_anomaly' instead/);
    const missing = submitArgumentsFor('analysis', {});
    assert.match(!missing.ok ? missing.error : '', /needs 'analysis'/);
    assert.equal(submitArgumentsFor('mitigation', { has_anomaly: 'Yes' }).ok, false);
  });

  it('marks only steps that change the cluster', () => {
    assert.equal(stepChangesCluster({ write: true, action: { name: 'exec_shell', args: ['kubectl get pods'], kwargs: {} } }), false);
    assert.equal(stepChangesCluster({ write: true, action: { name: 'exec_shell', args: [], kwargs: { command: 'kubectl scale deploy/a --replicas=1' } } }), true);
    assert.equal(stepChangesCluster({ write: true, action: { name: 'submit', args: [], kwargs: {} } }), true);
    assert.equal(stepChangesCluster({ write: false, action: { name: 'exec_shell', args: ['kubectl delete pod a'], kwargs: {} } }), false);
  });

  it('asks for confirmation only for commands that change the cluster', () => {
    for (const c of ['kubectl patch svc geo -p x', 'kubectl -n ns scale deploy/geo --replicas=1', 'kubectl delete pod geo-1', 'kubectl rollout restart deploy/geo', 'kubectl set image deploy/a a=b', 'kubectl exec -it mongo -- mongo', 'kubectl apply -f x.yaml', 'kubectl edit svc a']) {
      assert.ok(isChangingCommand(c), c);
    }
    for (const c of ['kubectl get pods -n ns', 'kubectl describe pod geo-1 -n ns', 'kubectl logs geo-1 -n ns', 'kubectl get deploy -o yaml | grep replicas', 'kubectl top pods']) {
      assert.ok(!isChangingCommand(c), c);
    }
  });
});

describe('extension manifest (package.json contributes)', () => {
  it('is exactly what the code declares (regenerate with: npm run contributes)', () => {
    assert.deepEqual(pkg.contributes, JSON.parse(JSON.stringify(contributes())));
  });

  it('activates on demand only and puts every command under the AIOpsLab category', () => {
    assert.ok(!(pkg.activationEvents as string[]).some((e) => e === '*' || e === 'onStartupFinished'));
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'AIOpsLab');
    const ids = new Set(COMMANDS.map((c) => c.command));
    const menus = pkg.contributes.menus as Record<string, Array<{ command: string }>>;
    for (const [where, items] of Object.entries(menus)) for (const m of items) assert.ok(ids.has(m.command), `${where}: ${m.command}`);
  });

  it('declares the tools the code registers, with chat slash commands for the session flow', () => {
    assert.deepEqual(pkg.contributes.languageModelTools.map((t: { name: string }) => t.name).sort(), lmToolContributions().map((t) => t.name).sort());
    const p = pkg.contributes.chatParticipants[0];
    assert.equal(p.name, 'aiopslab');
    assert.deepEqual(p.commands.map((c: { name: string }) => c.name), ['start', 'agent', 'human', 'status', 'submit', 'stop']);
  });

  it('offers exactly the registry\'s OpenAI-compatible agents as bring-your-own endpoints', () => {
    assert.deepEqual(pkg.contributes.configuration.properties['aiopslab.languageModels.endpoints'].items.enum, Object.keys(CLIENT_PROFILES));
    assert.deepEqual(pkg.contributes.languageModelChatProviders, [{ vendor: 'aiopslab', displayName: 'AIOpsLab endpoints (OpenAI-compatible)' }]);
  });

  it('maps every setting onto a field of the engine configuration', () => {
    const fields = Object.keys(ConfigSchema.shape);
    for (const s of SETTINGS) assert.ok(fields.includes(s.field), s.field);
    assert.deepEqual(overridesFromSettings(() => undefined), {});
    const defaults = Object.fromEntries(SETTINGS.map((s) => [s.key, s.default]));
    assert.deepEqual(overridesFromSettings((k) => defaults[k]), {});
    const values: Record<string, unknown> = { resultsFolder: 'out/res', cluster: 'kind-aiops', maxSteps: 12, shellPolicy: 'open', execTimeoutSeconds: 45, outputCapChars: 0, logDedup: 0, workloadMode: 'original' };
    assert.deepEqual(overridesFromSettings((k) => values[k]), { resultsDir: 'out/res', cluster: 'kind-aiops', maxSteps: 12, shellPolicy: 'open', execTimeoutSec: 45, outputCapChars: 0, logDedup: 0, workload: 'original' });
    const parsed = ConfigSchema.safeParse(overridesFromSettings((k) => values[k]));
    assert.ok(parsed.success);
  });
});

describe('extension chat and panel input', () => {
  it('turns typed calls and shell commands into replies the parser accepts', () => {
    const call = parseResponse(humanTextToTurn('get_logs("test-hotel-reservation", "geo")').text);
    assert.deepEqual([call.api_name, call.args], ['get_logs', ['test-hotel-reservation', 'geo']]);
    const shell = parseResponse(humanTextToTurn('kubectl get pods -n test-hotel-reservation -o jsonpath=\'{.items[*].metadata.name}\'').text);
    assert.deepEqual([shell.api_name, shell.args], ['exec_shell', ["kubectl get pods -n test-hotel-reservation -o jsonpath='{.items[*].metadata.name}'"]]);
    const ticked = parseResponse(humanTextToTurn('`submit("Yes")`').text);
    assert.equal(ticked.api_name, 'submit');
  });

  it('builds the submit call of each task from a short answer', () => {
    const parsed = (task: string, answer: string) => {
      const a = parseResponse(humanTextToTurn(submitCallFromText(task, answer)).text);
      return [a.api_name, a.args];
    };
    assert.deepEqual(parsed('detection', 'yes'), ['submit', ['Yes']]);
    assert.deepEqual(parsed('detection', 'No'), ['submit', ['No']]);
    assert.deepEqual(parsed('localization', 'geo, profile'), ['submit', [['geo', 'profile']]]);
    assert.deepEqual(parsed('localization', ''), ['submit', [[]]]);
    assert.deepEqual(parsed('analysis', 'Application; Misconfiguration'), ['submit', [{ system_level: 'Application', fault_type: 'Misconfiguration' }]]);
    assert.deepEqual(parsed('mitigation', ''), ['submit', []]);
    assert.deepEqual(parsed('detection', 'submit(has_anomaly="Yes")').slice(0, 1), ['submit']);
    for (const t of TASK_TYPES) assert.ok(submitCallFromText(t, 'x').startsWith('submit('));
  });
});

import { strict as assert } from 'assert';
import * as path from 'path';
import { parseAppFile } from '../../src/core/apps/schema';
import { CatalogError, FAULT_KINDS, parseProblemFamily } from '../../src/core/problems/schema';
import { ProblemRegistry, RegistryError } from '../../src/core/problems/registry';
import type { ProblemDefinition } from '../../src/core/problems/types';
import { loadCatalog } from '../../src/env/catalog';

/** The 89 registered IDs of the original, in registry order, copied by hand. */
const ORIGINAL_IDS = [
  'k8s_target_port-misconfig-detection-1',
  'k8s_target_port-misconfig-localization-1',
  'k8s_target_port-misconfig-analysis-1',
  'k8s_target_port-misconfig-mitigation-1',
  'k8s_target_port-misconfig-detection-2',
  'k8s_target_port-misconfig-localization-2',
  'k8s_target_port-misconfig-analysis-2',
  'k8s_target_port-misconfig-mitigation-2',
  'k8s_target_port-misconfig-detection-3',
  'k8s_target_port-misconfig-localization-3',
  'k8s_target_port-misconfig-analysis-3',
  'k8s_target_port-misconfig-mitigation-3',
  'auth_miss_mongodb-detection-1',
  'auth_miss_mongodb-localization-1',
  'auth_miss_mongodb-analysis-1',
  'auth_miss_mongodb-mitigation-1',
  'revoke_auth_mongodb-detection-1',
  'revoke_auth_mongodb-localization-1',
  'revoke_auth_mongodb-analysis-1',
  'revoke_auth_mongodb-mitigation-1',
  'revoke_auth_mongodb-detection-2',
  'revoke_auth_mongodb-localization-2',
  'revoke_auth_mongodb-analysis-2',
  'revoke_auth_mongodb-mitigation-2',
  'user_unregistered_mongodb-detection-1',
  'user_unregistered_mongodb-localization-1',
  'user_unregistered_mongodb-analysis-1',
  'user_unregistered_mongodb-mitigation-1',
  'user_unregistered_mongodb-detection-2',
  'user_unregistered_mongodb-localization-2',
  'user_unregistered_mongodb-analysis-2',
  'user_unregistered_mongodb-mitigation-2',
  'misconfig_app_hotel_res-detection-1',
  'misconfig_app_hotel_res-localization-1',
  'misconfig_app_hotel_res-analysis-1',
  'misconfig_app_hotel_res-mitigation-1',
  'scale_pod_zero_social_net-detection-1',
  'scale_pod_zero_social_net-localization-1',
  'scale_pod_zero_social_net-analysis-1',
  'scale_pod_zero_social_net-mitigation-1',
  'assign_to_non_existent_node_social_net-detection-1',
  'assign_to_non_existent_node_social_net-localization-1',
  'assign_to_non_existent_node_social_net-analysis-1',
  'assign_to_non_existent_node_social_net-mitigation-1',
  'container_kill-detection',
  'container_kill-localization',
  'pod_failure_hotel_res-detection-1',
  'pod_failure_hotel_res-localization-1',
  'pod_kill_hotel_res-detection-1',
  'pod_kill_hotel_res-localization-1',
  'network_loss_hotel_res-detection-1',
  'network_loss_hotel_res-localization-1',
  'network_delay_hotel_res-detection-1',
  'network_delay_hotel_res-localization-1',
  'noop_detection_hotel_reservation-1',
  'noop_detection_social_network-1',
  'noop_detection_astronomy_shop-1',
  'astronomy_shop_ad_service_failure-detection-1',
  'astronomy_shop_ad_service_failure-localization-1',
  'astronomy_shop_ad_service_high_cpu-detection-1',
  'astronomy_shop_ad_service_high_cpu-localization-1',
  'astronomy_shop_ad_service_manual_gc-detection-1',
  'astronomy_shop_ad_service_manual_gc-localization-1',
  'astronomy_shop_cart_service_failure-detection-1',
  'astronomy_shop_cart_service_failure-localization-1',
  'astronomy_shop_image_slow_load-detection-1',
  'astronomy_shop_image_slow_load-localization-1',
  'astronomy_shop_kafka_queue_problems-detection-1',
  'astronomy_shop_kafka_queue_problems-localization-1',
  'astronomy_shop_kafka_queue_problems-mitigation-1',
  'astronomy_shop_loadgenerator_flood_homepage-detection-1',
  'astronomy_shop_loadgenerator_flood_homepage-localization-1',
  'astronomy_shop_payment_service_failure-detection-1',
  'astronomy_shop_payment_service_failure-localization-1',
  'astronomy_shop_payment_service_unreachable-detection-1',
  'astronomy_shop_payment_service_unreachable-localization-1',
  'astronomy_shop_product_catalog_service_failure-detection-1',
  'astronomy_shop_product_catalog_service_failure-localization-1',
  'astronomy_shop_recommendation_service_cache_failure-detection-1',
  'astronomy_shop_recommendation_service_cache_failure-localization-1',
  'redeploy_without_PV-detection-1',
  'redeploy_without_PV-analysis-1',
  'redeploy_without_PV-mitigation-1',
  'wrong_bin_usage-detection-1',
  'wrong_bin_usage-localization-1',
  'wrong_bin_usage-analysis-1',
  'wrong_bin_usage-mitigation-1',
  'flower_node_stop-detection',
  'flower_model_misconfig-detection',
];

const ROOT = path.resolve(__dirname, '..', '..', '..');
const catalog = loadCatalog(ROOT);

function throwsCatalog(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CatalogError, `expected a CatalogError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message should contain ${JSON.stringify(p)}:\n${e.message}`);
    return true;
  });
}

describe('catalog: problems and apps as data', () => {
  it('lists exactly the 89 registered IDs of the original, in its registry order', () => {
    assert.equal(ORIGINAL_IDS.length, 89);
    assert.deepEqual(catalog.problems.ids(), ORIGINAL_IDS);
  });

  it('counts 34/28/13/14 problems per task and 38/25/24/2 per app', () => {
    const count = (key: keyof ProblemDefinition) => {
      const m: Record<string, number> = {};
      for (const p of catalog.problems.all()) m[String(p[key])] = (m[String(p[key])] ?? 0) + 1;
      return m;
    };
    assert.deepEqual(count('task'), { detection: 34, localization: 28, analysis: 13, mitigation: 14 });
    assert.deepEqual(count('app'), { 'hotel-reservation': 38, 'social-network': 25, 'astronomy-shop': 24, flower: 2 });
  });

  it('keeps the 15 unregistered problems as experimental, after the registered ones and out of default lists', () => {
    const all = catalog.problems.all({ includeExperimental: true });
    assert.equal(all.length, 104);
    const exp = all.filter((p) => p.experimental);
    assert.equal(exp.length, 15);
    assert.deepEqual(all.slice(0, 89).map((p) => p.id), ORIGINAL_IDS);
    for (const id of ['redeploy_without_PV-localization-1', 'kernel_fault_hotel_reservation-detection-1', 'disk_woreout-localization-1', 'operator_overload_replicas-detection-1', 'operator_wrong_update_strategy-localization-1']) {
      assert.equal(catalog.problems.get(id).experimental, true, id);
    }
    assert.equal(catalog.problems.filter({ pattern: 'operator_' }).length, 0);
    assert.equal(catalog.problems.filter({ pattern: 'operator_', includeExperimental: true }).length, 10);
  });

  it('gives every problem a task that its ID names, an existing app and a ground truth of that task', () => {
    for (const p of catalog.problems.all({ includeExperimental: true })) {
      assert.ok(p.id.includes(p.task), p.id);
      assert.ok(catalog.apps.has(p.app), p.id);
      assert.equal(p.groundTruth.task, p.task, p.id);
      assert.ok(p.summary.length > 10, p.id);
      assert.ok(!/\{(target|key|n|task)\}/.test(JSON.stringify(p)), `unsubstituted placeholder in ${p.id}`);
    }
  });

  it('has the ground truths of the original', () => {
    const gt = (id: string) => catalog.problems.get(id).groundTruth;
    for (const id of ['noop_detection_hotel_reservation-1', 'noop_detection_social_network-1', 'noop_detection_astronomy_shop-1']) {
      assert.deepEqual(gt(id), { task: 'detection', expected: 'No' });
    }
    assert.equal(catalog.problems.filter({ task: 'detection' }).filter((p) => p.groundTruth.task === 'detection' && p.groundTruth.expected === 'Yes').length, 31);
    assert.deepEqual(gt('revoke_auth_mongodb-localization-2'), { task: 'localization', services: ['mongodb-rate'], aliases: ['rate'] });
    assert.deepEqual(gt('user_unregistered_mongodb-localization-1'), { task: 'localization', services: ['mongodb-geo'], aliases: ['geo'] });
    assert.deepEqual(gt('k8s_target_port-misconfig-localization-3'), { task: 'localization', services: ['post-storage-service'], aliases: [] });
    assert.equal((gt('astronomy_shop_payment_service_unreachable-localization-1') as { services: string[] }).services[0], 'checkout');
    assert.equal((gt('astronomy_shop_image_slow_load-localization-1') as { services: string[] }).services[0], 'frontend');
    assert.deepEqual(gt('wrong_bin_usage-analysis-1'), { task: 'analysis', system_level: 'Application', fault_type: 'Network/Storage Issue' });
    assert.deepEqual(gt('assign_to_non_existent_node_social_net-analysis-1'), { task: 'analysis', system_level: 'Virtualization', fault_type: 'Dependency Problem' });
    assert.deepEqual(gt('k8s_target_port-misconfig-mitigation-2'), {
      task: 'mitigation',
      checks: [
        { kind: 'service-target-port', service: 'text-service', port: 9090 },
        { kind: 'all-pods-healthy', mode: 'guarded' },
      ],
    });
  });

  it('gives every mitigation problem a solution and every fault its parameters', () => {
    for (const p of catalog.problems.filter({ task: 'mitigation' })) assert.ok(p.solution && p.solution.length > 0, p.id);
    const tp = catalog.problems.get('k8s_target_port-misconfig-detection-2');
    assert.deepEqual(tp.fault, { kind: 'k8s-target-port', target: 'text-service', params: { service: 'text-service', from: 9090, to: 9999 } });
    assert.match(catalog.problems.get('k8s_target_port-misconfig-mitigation-3').solution![0], /kubectl patch service post-storage-service -n test-social-network/);
    assert.deepEqual(catalog.problems.get('astronomy_shop_payment_service_failure-detection-1').fault.params, {
      flag: 'paymentFailure', variant: '100%', configMap: 'flagd-config', restartDeployment: 'flagd',
    });
    const ck = catalog.problems.get('container_kill-detection');
    assert.equal(ck.fault.kind, 'chaos-container-kill');
    assert.equal(ck.workload.kind === 'wrk2' && ck.workload.rate, 100);
    const rv = catalog.problems.get('revoke_auth_mongodb-detection-1');
    assert.equal(rv.workload.kind === 'wrk2' && rv.workload.duration, 5);
    assert.equal(catalog.problems.get('noop_detection_astronomy_shop-1').workload.kind, 'none');
    const sn = catalog.problems.get('noop_detection_social_network-1').workload;
    assert.equal(sn.kind === 'wrk2' && sn.url.path, '/');
    assert.equal(catalog.problems.get('flower_model_misconfig-detection').workload.kind, 'flwr');
  });

  it('uses every known fault kind, and only those', () => {
    const used = new Set(catalog.problems.all({ includeExperimental: true }).map((p) => p.fault.kind));
    assert.deepEqual([...used].sort(), Object.keys(FAULT_KINDS).sort());
  });

  it('loads the 7 apps with the fields agents see', () => {
    assert.deepEqual([...catalog.apps.keys()].sort(), ['astronomy-shop', 'flight-ticket', 'flower', 'hotel-reservation', 'social-network', 'tidb-cluster', 'train-ticket']);
    const hotel = catalog.apps.get('hotel-reservation')!;
    assert.equal(hotel.namespace, 'test-hotel-reservation');
    assert.deepEqual(hotel.frontend, { service: 'frontend', port: 5000 });
    assert.equal(hotel.serviceLabel, 'io.kompose.service');
    assert.deepEqual(catalog.apps.get('social-network')!.frontend, { service: 'nginx-thrift', port: 8080 });
    assert.equal(catalog.apps.get('social-network')!.serviceLabel, 'app');
    assert.equal(catalog.apps.get('astronomy-shop')!.serviceLabel, 'app.kubernetes.io/name');
    assert.deepEqual(catalog.apps.get('astronomy-shop')!.frontend, { service: 'frontend-proxy', port: 8080 });
    assert.equal(catalog.apps.get('flower')!.namespace, 'docker');
    for (const id of ['train-ticket', 'flight-ticket']) assert.equal(catalog.apps.get(id)!.metadataOnly, true);
    // The TiDB app deploys its operator first and is ready when its TidbCluster says so.
    assert.deepEqual(catalog.apps.get('tidb-cluster')!.deploy, {
      kind: 'manifests', path: 'manifests', prerequisites: ['operator'], readyConditions: [{ resource: 'tidbclusters.pingcap.com', condition: 'Ready' }],
    });
    for (const app of catalog.apps.values()) {
      assert.ok(app.description.length > 40 && app.supportedOperations.length > 0, app.id);
    }
  });

  describe('registry', () => {
    it('get() of an unknown ID suggests close matches', () => {
      assert.throws(() => catalog.problems.get('revoke_auth_mongodb-detection-3'), (e: unknown) => {
        assert.ok(e instanceof RegistryError);
        assert.match(e.message, /^Problem ID revoke_auth_mongodb-detection-3 not found\. Did you mean .*revoke_auth_mongodb-detection-1/);
        return true;
      });
      assert.throws(() => catalog.problems.get('CONTAINER_KILL-DETECTION'), /Did you mean container_kill-detection\?/);
    });

    it('filters by task, app and glob or substring pattern', () => {
      assert.equal(catalog.problems.filter({ task: 'mitigation', app: 'social-network' }).length, 6);
      assert.deepEqual(
        catalog.problems.filter({ pattern: 'revoke_auth*-2' }).map((p) => p.id),
        ['revoke_auth_mongodb-detection-2', 'revoke_auth_mongodb-localization-2', 'revoke_auth_mongodb-analysis-2', 'revoke_auth_mongodb-mitigation-2'],
      );
      assert.equal(catalog.problems.filter({ pattern: 'ASTRONOMY_SHOP' }).length, 24);
      assert.equal(catalog.problems.filter({ pattern: '*-detection' }).length, 3);
    });

    it('rejects duplicate IDs across files and problems of unknown apps', () => {
      const p = catalog.problems.get('container_kill-detection');
      assert.throws(
        () => new ProblemRegistry([p, { ...p, sourceFile: 'problems/other.yaml' }], catalog.apps),
        /Duplicate problem ID container_kill-detection: defined in problems\/container_kill\.yaml and in problems\/other\.yaml/,
      );
      assert.throws(() => new ProblemRegistry([{ ...p, app: 'nope' }], catalog.apps), /uses app "nope", which does not exist/);
    });
  });

  describe('bad files name the file, the field and what was expected', () => {
    const good = `
family: revoke_auth
order: 3
app: hotel-reservation
idPattern: revoke_auth_mongodb-{task}-{n}
tasks: [detection, localization]
summary: "revoked"
fault: {kind: mongo-revoke-auth, params: {service: geo, script: revoke.sh, recoverScript: mitigate.sh}}
workload: {kind: none}
groundTruth:
  localization: {services: ["{target}"], aliases: [geo]}
variants:
  - {target: mongodb-geo}
  - {target: mongodb-rate}
`;
    it('accepts the good file and expands variants x tasks', () => {
      const defs = parseProblemFamily('problems/revoke_auth.yaml', good);
      assert.deepEqual(defs.map((d) => d.id), ['revoke_auth_mongodb-detection-1', 'revoke_auth_mongodb-localization-1', 'revoke_auth_mongodb-detection-2', 'revoke_auth_mongodb-localization-2']);
      assert.deepEqual(defs[3].groundTruth, { task: 'localization', services: ['mongodb-rate'], aliases: ['geo'] });
    });

    it('a string where a list is expected', () => {
      const bad = good.replace('  - {target: mongodb-rate}', '  - target: mongodb-rate\n    groundTruth: {localization: {services: geo}}');
      throwsCatalog(() => parseProblemFamily('problems/revoke_auth.yaml', bad),
        'problems/revoke_auth.yaml: variants[1].groundTruth.localization.services: expected a non-empty list of strings, got "geo"');
    });

    it('an unknown field', () => {
      throwsCatalog(() => parseProblemFamily('problems/revoke_auth.yaml', good.replace('order: 3', 'order: 3\nsumary: x')), 'problems/revoke_auth.yaml: sumary: unknown field');
      throwsCatalog(() => parseProblemFamily('problems/revoke_auth.yaml', good.replace('{target: mongodb-geo}', '{target: mongodb-geo, tagret: x}')), 'variants[0].tagret: unknown field');
    });

    it('a missing required field, a wrong enum, a wrong check kind', () => {
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', good.replace('summary: "revoked"\n', '')), 'problems/x.yaml: summary: required field is missing');
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', good.replace('[detection, localization]', '[detection, localisation]')), 'tasks[1]: expected one of detection, localization, analysis, mitigation, got "localisation"');
      const analysis = good.replace('[detection, localization]', '[analysis]').replace('groundTruth:', 'groundTruth:\n  analysis: {system_level: Kernel, fault_type: Misconfiguration}');
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', analysis), 'groundTruth.analysis.system_level: expected one of Hardware, Operating System, Virtualization, Application, got "Kernel"');
      const mit = good.replace('[detection, localization]', '[mitigation]').replace('groundTruth:', 'groundTruth:\n  mitigation: {checks: [{kind: pods-healthy}]}');
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', mit), 'groundTruth.mitigation.checks[0].kind: expected one of');
    });

    it('a task without its ground truth, an ID without its task word, a duplicate ID, invalid YAML', () => {
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', good.replace('[detection, localization]', '[detection, analysis]')), 'variants[0].groundTruth.analysis: required for the analysis task');
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', good.replace('revoke_auth_mongodb-{task}-{n}', 'revoke_auth_mongodb-{n}')), 'does not name its task type');
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', good.replace('-{task}-{n}', '-{task}')), 'variants[1]: produces the ID "revoke_auth_mongodb-detection" twice');
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', 'family: [unclosed'), 'problems/x.yaml: not valid YAML');
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', '- a\n- b'), 'problems/x.yaml: (top level): expected a mapping');
    });

    it('an unknown fault kind', () => {
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', good.replace('kind: mongo-revoke-auth', 'kind: mongo-revoke')), 'fault.kind: expected a fault kind, one of k8s-target-port,');
    });

    it('fault parameters: a misspelt or unknown one, a wrong type, a missing required one, each named where the file sets it', () => {
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', good.replace('recoverScript: mitigate.sh', 'recoverScrpt: mitigate.sh')),
        'problems/x.yaml: fault.params.recoverScrpt: unknown parameter of mongo-revoke-auth (it takes settleSeconds, injectDuringWorkload, service, db, user, role, script, recoverScript)');
      assert.throws(() => parseProblemFamily('problems/x.yaml', good.replace('recoverScript: mitigate.sh', 'recoverScrpt: mitigate.sh')), /fault\.params\.recoverScript: required field is missing/);
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', good.replace('service: geo', 'service: [geo]')), 'problems/x.yaml: fault.params.service: expected a string, got');
      const variantParam = good.replace('  - {target: mongodb-rate}', '  - target: mongodb-rate\n    fault: {params: {user: 7}}');
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', variantParam), 'problems/x.yaml: variants[1].fault.params.user: expected a string, got 7');
      const chaos = good.replace('{kind: mongo-revoke-auth, params: {service: geo, script: revoke.sh, recoverScript: mitigate.sh}}', '{kind: chaos-pod-failure, params: {duration: 100s, labelKye: app}}');
      throwsCatalog(() => parseProblemFamily('problems/x.yaml', chaos), 'fault.params.labelKye: unknown parameter of chaos-pod-failure (it takes settleSeconds, injectDuringWorkload, name, mode, labelKey, duration)');
    });

    it('a bad app file', () => {
      const app = `name: Hotel\nnamespace: test-hotel\ndescription: d\nsupportedOperations: [a]\ndeploy: {kind: manifests, path: manifests}\n`;
      assert.equal(parseAppFile('apps/hotel/app.yaml', app).id, 'hotel');
      throwsCatalog(() => parseAppFile('apps/hotel/app.yaml', app.replace('test-hotel', 'Test_Hotel')), 'apps/hotel/app.yaml: namespace: expected a Kubernetes namespace name, got "Test_Hotel"');
      throwsCatalog(() => parseAppFile('apps/hotel/app.yaml', app.replace('[a]', 'a')), 'apps/hotel/app.yaml: supportedOperations: expected a list of strings, got "a"');
      throwsCatalog(() => parseAppFile('apps/hotel/app.yaml', `id: other\n${app}`), 'id: expected "hotel" (the folder name), got "other"');
      throwsCatalog(() => parseAppFile('apps/hotel/app.yaml', app.replace('kind: manifests, path: manifests', 'kind: kubectl')), 'deploy.kind: expected a deploy section with kind manifests, helm, docker-compose or none, got "kubectl"');
      throwsCatalog(() => parseAppFile('apps/hotel/app.yaml', `${app}frontend: {service: f, port: "5000"}\n`), 'frontend.port: expected');
    });
  });
});

import * as assert from 'node:assert/strict';
import type { JournalEntry } from '../../src/core/ports/environment';
import { recoverySummary } from '../../src/extension/model/recovery-summary';

function entry(over: Partial<JournalEntry>): JournalEntry {
  return {
    id: 'aaaaaaaa-1',
    problemId: 'k8s_target_port-misconfig-detection-1',
    sessionId: 'session-1',
    cluster: 'kind-aiopslab',
    namespace: 'test-social-network',
    fault: { kind: 'scale-to-zero', target: 'user-service', params: { originalReplicas: 1 } },
    appId: 'social-network',
    createdAt: '2026-11-28T10:00:00.000Z',
    pid: 12345,
    ...over,
  };
}

describe('extension: what "Recover Leftover Faults" says in its notification', () => {
  it('says so when the journal lists nothing', () => {
    const s = recoverySummary({ recovered: [], failed: [], skipped: [] });
    assert.equal(s.severity, 'info');
    assert.match(s.message, /^Nothing to recover/);
  });

  it('names each undone fault in words, and tells cleared entries of embedded clusters apart', () => {
    const s = recoverySummary({
      recovered: [entry({}), entry({ id: 'b', problemId: 'noop_detection_hotel_reservation-1', cluster: 'http://127.0.0.1:41234', fault: { kind: 'noop', params: {} } })],
      failed: [],
      skipped: [],
    });
    assert.equal(s.severity, 'info');
    assert.equal(s.undone.length, 1);
    assert.equal(s.cleared.length, 1);
    assert.match(s.message, /^Undid 1 leftover fault \(k8s_target_port-misconfig-detection-1: Deployment user-service: scaled to 0 replicas \(was 1\) in test-social-network\)/);
    assert.match(s.message, /cleared 1 journal entry of noop_detection_hotel_reservation-1: its embedded cluster ended with the session, so nothing was left to undo/);
  });

  it('warns about faults it could not undo, with the cause in a person\'s words, and about ones left alone', () => {
    const s = recoverySummary({
      recovered: [],
      failed: [{ entry: entry({}), error: 'E1128 memcache.go:265] couldn\'t get current server API group list: Get "https://127.0.0.1:6443/api?timeout=32s": dial tcp 127.0.0.1:6443: connect: connection refused\nmore' }],
      skipped: [{ entry: entry({ id: 'c', problemId: 'other-1' }), reason: 'its session is still running in process 4242' }],
    });
    assert.equal(s.severity, 'warning');
    assert.match(s.message, /^Could not undo 1 fault \(k8s_target_port-misconfig-detection-1 on kind-aiopslab: cannot reach the cluster's API server at https:\/\/127\.0\.0\.1:6443\); it stays in the journal/);
    assert.match(s.message, /left 1 fault alone \(other-1: its session is still running in process 4242\)\.$/);
  });

  it('keeps long lists short', () => {
    const many = Array.from({ length: 5 }, (_, i) => entry({ id: `e${i}`, problemId: `p-${i}` }));
    const s = recoverySummary({ recovered: many, failed: [], skipped: [] });
    assert.match(s.message, /^Undid 5 leftover faults \(p-0: .*; p-1: .*; and 3 more\)\.$/);
  });
});

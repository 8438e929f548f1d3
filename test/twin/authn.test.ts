/**
 * Bearer-token authentication (src/twin/apiserver/authn.ts) where a kubectl run cannot reach in reasonable time:
 * expiry (TokenRequest's shortest duration is ten minutes) and tampering, on a twin's own object store.
 */
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/twin/apiserver/store';
import { ADMIN_USER, TokenAuthority } from '../../src/twin/apiserver/authn';

describe('twin bearer tokens', () => {
  let store: MemoryStore;
  let now = Date.parse('2026-12-07T12:00:00Z');
  const authority = () => new TokenAuthority(store, { adminToken: 'admin-secret-token', now: () => now });
  beforeEach(() => {
    store = new MemoryStore();
    store.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sre', namespace: 'default' } });
  });
  afterEach(() => store.close());

  it('a TokenRequest token works until it expires, then answers 401', () => {
    const a = authority();
    const { token, expirationTimestamp } = a.request('default', 'sre', { expirationSeconds: 600 });
    assert.equal(expirationTimestamp, '2026-12-07T12:10:00Z');
    assert.equal(a.authenticate(`Bearer ${token}`)?.name, 'system:serviceaccount:default:sre');
    now += 599_000;
    assert.ok(a.authenticate(`Bearer ${token}`));
    now += 1_000;
    assert.throws(() => a.authenticate(`Bearer ${token}`), (e: { code?: number; message?: string }) => e.code === 401 && e.message === 'Unauthorized');
  });

  it('refuses tampered, foreign and malformed tokens; recognises the admin token; no header is anonymous', () => {
    const a = authority();
    const { token } = a.request('default', 'sre');
    const [h, p, s] = token.split('.');
    const other = authority().request('default', 'sre').token;
    for (const bad of [`${h}.${p}.${s.slice(0, -2)}AA`, other, 'admin-secret-tokeN', `${h}.${p}`, 'Basic YTpi']) {
      assert.throws(() => a.authenticate(bad.startsWith('Basic') ? bad : `Bearer ${bad}`), (e: { code?: number }) => e.code === 401, bad);
    }
    assert.equal(a.authenticate('Bearer admin-secret-token'), ADMIN_USER);
    assert.equal(a.authenticate(undefined), undefined);
    assert.throws(() => a.request('default', 'sre', { expirationSeconds: 60 }), /may not specify a duration less than 10 minutes/);
    assert.throws(() => a.request('default', 'ghost'), /serviceaccounts "ghost" not found/);
  });
});

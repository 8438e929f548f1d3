/**
 * The TLS material of a detached twin: a self-signed CA and a serving certificate for 127.0.0.1 / localhost signed by
 * it, made fresh at every start. kubectl and helm send bearer tokens only over TLS, so identities other than the admin
 * need it; the kubeconfig carries the CA as `certificate-authority-data`.
 * X.509 encoding is node-forge's (one dependency-free package; @peculiar/x509 needs a global reflect polyfill and a
 * dozen packages); keys and signatures come from Node's own crypto (forge's JavaScript RSA takes ~0.3 s per signature,
 * Node's well under 1 ms), so a start costs one RSA-2048 key generation per key, both at once (~0.2 s on 2 cores).
 */
import { generateKeyPair, KeyObject, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface TwinTls {
  /** PEM of the CA certificate (what clients trust). */
  caPem: string;
  /** PEM of the serving certificate. */
  certPem: string;
  /** PEM of the serving key. */
  keyPem: string;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

interface KeyPair { node: KeyObject; publicKey: forge.pki.PublicKey; pem: string }

async function keyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { node: privateKey, publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()), pem };
}

/** Signs `cert` (sha256WithRSAEncryption) with Node's crypto: forge calls `sign` after it has encoded the TBS part. */
function signWith(cert: forge.pki.Certificate, key: KeyObject): void {
  const signer = {
    sign: (): string => {
      const tbs = forge.asn1.toDer((cert as unknown as { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate).getBytes();
      return sign('sha256', Buffer.from(tbs, 'binary'), key).toString('binary');
    },
  };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
}

function certificate(subjectCn: string, publicKey: forge.pki.PublicKey, extensions: object[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: the high bit cleared.
  cert.serialNumber = '0' + randomBytes(16).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + YEAR_MS);
  cert.setSubject([{ name: 'commonName', value: subjectCn }]);
  cert.setExtensions(extensions);
  return cert;
}

/** A CA named `<name>-ca` and a serving certificate for 127.0.0.1 (valid one year, like kind's). */
export async function createTwinTls(name: string): Promise<TwinTls> {
  const [caKeys, keys] = await Promise.all([keyPair(), keyPair()]);
  const ca = certificate(`${name}-ca`, caKeys.publicKey, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.setIssuer(ca.subject.attributes);
  signWith(ca, caKeys.node);
  const cert = certificate('kube-apiserver', keys.publicKey, [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [
      { type: 7, ip: '127.0.0.1' },
      { type: 2, value: 'localhost' },
      { type: 2, value: 'kubernetes' },
      { type: 2, value: 'kubernetes.default.svc' },
    ] },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.setIssuer(ca.subject.attributes);
  signWith(cert, caKeys.node);
  return { caPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(cert), keyPem: keys.pem };
}

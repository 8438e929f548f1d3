/**
 * The minimal OpenAPI v2 document that lets `kubectl apply -f`, `create -f` and `replace -f` pass their
 * validation step: a gnostic `openapi_v2.Document` with swagger "2.0", info{title, version} and no paths.
 * Unknown kinds are not validated client-side. (`kubectl explain` needs the real schemas and is not served.)
 */
export const OPENAPI_V2_PROTO_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function field(num: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(num << 3) | 2, payload.length]), payload]);
}
const str = (num: number, s: string) => field(num, Buffer.from(s, 'utf8'));

export function openApiV2Protobuf(version: string): Buffer {
  // Document{1: swagger, 2: Info{1: title, 2: version}, 8: Paths{}}
  return Buffer.concat([str(1, '2.0'), field(2, Buffer.concat([str(1, 'Kubernetes'), str(2, version)])), field(8, Buffer.alloc(0))]);
}

export function openApiV2Json(version: string): Record<string, unknown> {
  return { swagger: '2.0', info: { title: 'Kubernetes', version }, paths: {}, definitions: {} };
}

/** The credential scope of a SigV4 `Authorization` header: who signed, for which region and service. */
export interface SigV4Scope {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

/**
 * Reads the scope of an `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...`
 * header. The emulators route on it (one endpoint serves every region and
 * service) but never verify the signature.
 */
export function sigV4Scope(authorization: string | undefined): SigV4Scope | undefined {
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(authorization ?? '');
  if (match === null) return undefined;
  return { accessKeyId: match[1]!, region: match[2]!, service: match[3]! };
}

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

/**
 * What is wrong with a request's SigV4 signing, or `undefined` when its
 * shape is right: an `Authorization` header of the form
 * `AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request,
 * SignedHeaders=<names>, Signature=<64 hex>` whose signed headers include
 * `host` and `x-amz-date`, and an `X-Amz-Date` header of the form
 * `yyyymmddThhmmssZ` on the credential's date
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html).
 * The signature itself is not verified: the emulator knows no secret.
 */
export function sigV4Problem(authorization: string | undefined, amzDate: string | undefined): string | undefined {
  if (authorization === undefined || authorization === '') return 'Request is missing Authentication Token';
  const match =
    /^AWS4-HMAC-SHA256 Credential=[^/,\s]+\/(\d{8})\/[^/,\s]+\/[^/,\s]+\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(authorization);
  if (match === null) return 'Authorization header requires Credential, SignedHeaders and Signature parameters in the AWS4-HMAC-SHA256 form';
  const signed = match[2]!.split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date')) return 'SignedHeaders must include host and x-amz-date';
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate)) return 'Authorization requires an X-Amz-Date header of the form yyyymmddThhmmssZ';
  if (!amzDate.startsWith(match[1]!)) return 'The credential date does not match the X-Amz-Date header';
  return undefined;
}

/**
 * Removes anything that looks like a credential from a message: bearer
 * tokens, OAuth access tokens (`ya29.`), refresh tokens (`1//`), private
 * keys, and any value the adapter knows to be secret.
 */
export function redactGcpSecrets(message: string, known: readonly string[] = []): string {
  let out = message;
  for (const secret of known) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out
    .replace(/(bearer\s+)[^\s"',]+/gi, '$1[redacted]')
    .replace(/(authorization["']?\s*[:=]\s*["']?)[^"'\n,}]+/gi, '$1[redacted]')
    .replace(/(access_token|refresh_token|id_token|client_secret|private_key)(["']?\s*[:=]\s*["']?)[^\s"',&}]+/gi, '$1$2[redacted]')
    .replace(/\bya29\.[\w.-]+/g, '[redacted]')
    .replace(/\b1\/\/[\w.-]{20,}/g, '[redacted]')
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted]');
}

/**
 * Removes anything that looks like a credential from a message: the values
 * the adapter was given, then well-known shapes (secret access keys are 40
 * characters of base64; session tokens are long base64; signatures and
 * `Credential=` scopes show up when a service echoes a request). An error
 * message can then be logged or shown without leaking a secret.
 */
export function redactAwsSecrets(message: string, known: readonly string[] = []): string {
  let out = message;
  for (const secret of known) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out
    .replace(/(x-amz-security-token|x-amz-signature|signature|aws_secret_access_key|secretaccesskey|sessiontoken|aws_session_token)(["']?\s*[:=]\s*["']?)[^\s"',&;]+/gi, '$1$2[redacted]')
    .replace(/(authorization["']?\s*[:=]\s*["']?)[^"'\n]+/gi, '$1[redacted]')
    .replace(/(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40,}(?![A-Za-z0-9/+=])/g, (run) => (/[0-9]/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run) ? '[redacted]' : run));
}

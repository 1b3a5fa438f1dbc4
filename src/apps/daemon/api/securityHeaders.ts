import { createHash } from 'node:crypto';
import { dashboardHtml } from '../dashboardHtml.js';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const inline = (tag: string) => {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(dashboardHtml);
  if (!match) throw new Error(`the dashboard has no <${tag}> element`);
  return sha256(match[1]!);
};

/**
 * The dashboard's Content-Security-Policy: only its own inline script and
 * style (by hash, so an injected one does not run), requests only to the
 * daemon itself, no framing, no forms, no base-URI tricks.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src ${inline('script')}`,
  `style-src ${inline('style')}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** CSP of every other answer (JSON, metrics): nothing in it may load or run anything. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/**
 * Headers set on every response: no MIME sniffing, no caching (status and
 * metrics are live and may be sensitive), no framing, no referrer, and a
 * CSP; with TLS, HSTS too.
 */
export function securityHeaders(kind: 'api' | 'dashboard', tls: boolean): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'content-security-policy': kind === 'dashboard' ? DASHBOARD_CSP : API_CSP,
    ...(tls ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

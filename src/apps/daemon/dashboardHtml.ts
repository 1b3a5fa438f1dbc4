/**
 * The dashboard at `/`: static HTML that polls `/status` and `/events` every
 * 2 s. No external assets, so it works on an isolated network. When the API
 * has a read token, open it as `/#token=<read token>`: the fragment is never
 * sent to the server nor in a Referer, and the page sends it as a bearer
 * token. Its inline script and style are allowed by hash in the API's CSP.
 */
export const dashboardHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lifeboat</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--ok:#2e7d32;--warn:#ef8f00;--bad:#c62828;--mute:#667}
body{font:14px system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#12314f;color:#fff;padding:.8em 1.5em;display:flex;gap:1.5em;align-items:baseline;flex-wrap:wrap}
header h1{font-size:1.3em;margin:0}
header .meta{color:#c9d6e3;font-size:.9em}
main{padding:0 1.5em 1.5em}
h2{font-size:1.05em;margin:1.4em 0 .5em;color:#12314f}
.grid{display:flex;flex-wrap:wrap;gap:.6em}
.zone{padding:.6em .9em;border-radius:6px;min-width:10em;color:#fff;box-shadow:0 1px 2px #0003}
.zone b{font-size:1.05em}.zone small{display:block;opacity:.9;max-width:22em}
.healthy{background:var(--ok)}.degraded{background:var(--warn)}.impaired{background:var(--bad)}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002;min-width:40em}
td,th{border-bottom:1px solid #e3e5e8;padding:.35em .7em;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600}
td.primary{font-weight:700}
.tag{display:inline-block;padding:0 .4em;border-radius:4px;background:#eef1f4;margin:0 .2em .2em 0}
.tag.streaming{background:#dcefdc}.tag.broken,.tag.stopped{background:#f7d7d7}
#paused{color:#ffb4a8;font-weight:bold}
.empty{color:var(--mute);font-style:italic}
#events td:first-child{white-space:nowrap;color:var(--mute)}
</style></head><body>
<header><h1>Lifeboat <span id="who"></span></h1><span class="meta" id="leader"></span><span class="meta" id="observed"></span><span id="paused"></span></header>
<main>
<h2>Zones</h2><div class="grid" id="zones"><span class="empty">waiting for the first observation</span></div>
<h2>Databases</h2><table><thead><tr><th>database</th><th>primary</th><th>replicas (state, lag)</th><th>failovers</th><th>in flight</th></tr></thead><tbody id="dbs"></tbody></table>
<h2>Node groups</h2><table><thead><tr><th>group</th><th>where</th><th>healthy / min</th><th>total</th></tr></thead><tbody id="groups"></tbody></table>
<h2>Actions in flight</h2><table><tbody id="inflight"></tbody></table>
<h2>Timeline</h2><table><tbody id="events"></tbody></table>
</main>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const get = async (path) => {
  const res = await fetch(path, token ? { headers: { authorization: 'Bearer ' + token } } : {});
  if (res.status === 401) throw new Error('a read token is needed: open this page as /#token=<read token>');
  return res.json();
};
const none = (cols, text) => '<tr><td class="empty" colspan="' + cols + '">' + text + '</td></tr>';
function leaderText(l) {
  if (l.mode === 'local-lock') return 'single daemon (lock file)';
  if (l.self) return 'leader (etcd), since ' + esc(l.since);
  return 'follower; leader: ' + esc(l.id ?? 'none (election under way)');
}
async function refresh() {
  try {
    const s = await get('/status');
    $('who').textContent = s.id;
    $('leader').innerHTML = leaderText(s.leader);
    $('observed').textContent = s.observedAt ? 'observed ' + s.observedAt : 'not observed yet';
    $('paused').textContent = s.paused ? 'PAUSED' : '';
    if (s.zones.length) $('zones').innerHTML = s.zones.map((z) => '<div class="zone ' + esc(z.state) + '" data-zone="' + esc(z.zone) + '" title="' + esc(z.reason) + '"><b>' + esc(z.zone) + '</b> ' + esc(z.state) + '<small>' + esc(z.provider) + ' / ' + esc(z.region) + '</small><small>' + esc(z.reason) + '</small></div>').join('');
    $('dbs').innerHTML = s.databases.map((d) => '<tr data-db="' + esc(d.database) + '"><td>' + esc(d.database) + '</td><td class="primary">' + esc(d.primary) + '</td><td>' + d.replicas.map((r) => '<span class="tag ' + esc(r.replication ?? r.state) + '">' + esc(r.id) + (r.role === 'replica' ? '' : ' (' + esc(r.role) + ')') + ' ' + esc(r.replication ?? r.state) + (r.lagSeconds === null ? '' : ', ' + esc(r.lagSeconds) + 's') + '</span>').join('') + '</td><td class="failovers">' + d.failovers + '</td><td>' + (d.promotion ? 'promoting ' + esc(d.promotion.target) : '') + '</td></tr>').join('') || none(5, 'no database observed');
    $('groups').innerHTML = s.groups.map((g) => '<tr><td>' + esc(g.group) + '</td><td>' + esc(g.provider) + ' / ' + esc(g.region) + '</td><td>' + g.healthy + ' / ' + g.minHealthy + '</td><td>' + g.total + '</td></tr>').join('') || none(4, 'no node group protected');
    $('inflight').innerHTML = s.inFlight.map((a) => '<tr><td>' + esc(a.operation) + '</td><td>' + esc(a.target) + '</td><td>' + esc(a.reason) + '</td></tr>').join('') + (s.pausedPlan ?? []).map((a) => '<tr class="held"><td>' + esc(a.operation) + ' (held: paused)</td><td>' + esc(a.target) + '</td><td>' + esc(a.reason) + '</td></tr>').join('') || none(3, 'none');
    const e = await get('/events?limit=30');
    $('events').innerHTML = e.events.reverse().map((x) => '<tr><td>' + esc(x.time) + '</td><td>' + esc(x.kind) + '</td><td>' + esc(x.detail) + '</td></tr>').join('') || none(3, s.leader.self ? 'no events yet' : 'events are kept by the leader');
  } catch (err) { $('paused').textContent = /token/.test(err.message) ? err.message : 'daemon unreachable'; }
}
refresh(); setInterval(refresh, 2000);
</script></body></html>
`;

/**
 * The dashboard at `/`: static HTML that polls `/status` and `/events` every
 * 2 s. No external assets, so it works on an isolated network. When the API
 * has a read token, open it as `/#token=<read token>`: the fragment is never
 * sent to the server nor in a Referer, and the page sends it as a bearer
 * token. Its inline script and style are allowed by hash in the API's CSP.
 *
 * The controls (pause, resume, switchover, approve) ask for the operate
 * token in the page; it lives in a variable of the page only (never in
 * storage, the URL or a cookie), so a reload forgets it.
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
#controls{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;background:#fff;padding:.6em .8em;box-shadow:0 1px 2px #0002}
#controls input,#controls select,#controls button{font:inherit;padding:.2em .4em}
#result{color:var(--mute)}#result.error{color:var(--bad)}
td.paused{color:var(--bad)}
</style></head><body>
<header><h1>Lifeboat <span id="who"></span></h1><span class="meta" id="leader"></span><span class="meta" id="observed"></span><span id="paused"></span></header>
<main>
<h2>Controls</h2><div id="controls">
<input id="operate-token" type="password" autocomplete="off" placeholder="operate token" aria-label="operate token">
<select id="target-db" aria-label="database"><option value="">everything</option></select>
<input id="reason" placeholder="reason" aria-label="reason">
<button id="pause">Pause</button><button id="resume">Resume</button>
<input id="switch-to" placeholder="switch over to (optional)" aria-label="replica to promote">
<button id="switchover">Switchover</button><button id="approve">Approve failover</button>
<span id="result"></span></div>
<h2>Zones</h2><div class="grid" id="zones"><span class="empty">waiting for the first observation</span></div>
<h2>Databases</h2><table><thead><tr><th>database</th><th>primary</th><th>primary zone</th><th>replicas (state, lag)</th><th>failovers</th><th>paused</th><th>in flight</th></tr></thead><tbody id="dbs"></tbody></table>
<h2>Node groups</h2><table><thead><tr><th>group</th><th>where</th><th>healthy / min</th><th>total</th></tr></thead><tbody id="groups"></tbody></table>
<h2>Actions in flight, held and awaited</h2><table><tbody id="inflight"></tbody></table>
<h2>Timeline</h2><table><tbody id="events"></tbody></table>
</main>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const get = async (path) => {
  const bearer = token || operateToken;
  const res = await fetch(path, bearer ? { headers: { authorization: 'Bearer ' + bearer } } : {});
  if (res.status === 401) throw new Error('a read token is needed: open this page as /#token=<read token>');
  return res.json();
};
// The operate token: typed in the page, kept in this variable only.
let operateToken = '';
$('operate-token').addEventListener('input', (ev) => { operateToken = ev.target.value; });
const say = (text, bad) => { $('result').textContent = text; $('result').className = bad ? 'error' : ''; };
async function post(path, body) {
  if (!operateToken) return say('type the operate token first', true);
  try {
    const res = await fetch(path, { method: 'POST', headers: { authorization: 'Bearer ' + operateToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) return say(path.slice(1) + ' refused: ' + (answer.error ?? res.status), true);
    say(path.slice(1) + ': done');
    refresh();
  } catch (err) { say(path.slice(1) + ': daemon unreachable', true); }
}
const chosen = () => $('target-db').value || undefined;
const reason = () => $('reason').value || undefined;
$('pause').addEventListener('click', () => post('/pause', { database: chosen(), reason: reason() }));
$('resume').addEventListener('click', () => post('/resume', { database: chosen(), reason: reason() }));
$('switchover').addEventListener('click', () => chosen() ? post('/switchover', { database: chosen(), target: $('switch-to').value || undefined }) : say('choose a database to switch over', true));
$('approve').addEventListener('click', () => chosen() ? post('/approve', { database: chosen() }) : say('choose a database whose failover to approve', true));
function databaseChoices(names) {
  const select = $('target-db');
  const have = [...select.options].map((o) => o.value).filter(Boolean);
  if (have.join() === names.join()) return;
  const keep = select.value;
  select.innerHTML = '<option value="">everything</option>' + names.map((n) => '<option value="' + esc(n) + '">' + esc(n) + '</option>').join('');
  select.value = names.includes(keep) ? keep : '';
}
const pauseText = (p) => 'by ' + esc(p.by) + ' at ' + esc(p.at) + ': ' + esc(p.reason);
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
    $('paused').innerHTML = s.pauses?.all ? 'PAUSED ' + pauseText(s.pauses.all) : (s.mode === 'observe' ? 'OBSERVE MODE (nothing is run)' : '');
    databaseChoices(s.databases.map((d) => d.database));
    if (s.zones.length) $('zones').innerHTML = s.zones.map((z) => '<div class="zone ' + esc(z.state) + '" data-zone="' + esc(z.zone) + '" title="' + esc(z.reason) + '"><b>' + esc(z.zone) + '</b> ' + esc(z.state) + '<small>' + esc(z.provider) + ' / ' + esc(z.region) + '</small><small>' + esc(z.reason) + '</small></div>').join('');
    $('dbs').innerHTML = s.databases.map((d) => '<tr data-db="' + esc(d.database) + '"><td>' + esc(d.database) + '</td><td class="primary">' + esc(d.primary) + '</td><td class="primary-zone">' + esc(d.primaryZone ?? '?') + '</td><td>' + d.replicas.map((r) => '<span class="tag ' + esc(r.replication ?? r.state) + '">' + esc(r.id) + (r.role === 'replica' ? '' : ' (' + esc(r.role) + ')') + ' ' + esc(r.replication ?? r.state) + (r.lagSeconds === null ? '' : ', ' + esc(r.lagSeconds) + 's') + '</span>').join('') + '</td><td class="failovers">' + d.failovers + '</td><td class="paused">' + (d.paused ? pauseText(d.paused) : (s.pauses?.all ? 'all paused' : '')) + '</td><td>' + (d.promotion ? 'promoting ' + esc(d.promotion.target) : d.switchover ? 'switchover: ' + esc(d.switchover.phase) : '') + '</td></tr>').join('') || none(7, 'no database observed');
    $('groups').innerHTML = s.groups.map((g) => '<tr><td>' + esc(g.group) + '</td><td>' + esc(g.provider) + ' / ' + esc(g.region) + '</td><td>' + g.healthy + ' / ' + g.minHealthy + '</td><td>' + g.total + '</td></tr>').join('') || none(4, 'no node group protected');
    const row = (cls, label) => (a) => '<tr class="' + cls + '"><td>' + esc(a.operation) + label + '</td><td>' + esc(a.target) + '</td><td>' + esc(a.reason) + (a.until ? ' (until ' + esc(a.until) + ')' : '') + '</td></tr>';
    $('inflight').innerHTML = s.inFlight.map(row('running', '')).join('') + (s.pausedPlan ?? []).map(row('held', ' (held: paused)')).join('') + (s.wouldDo ?? []).map(row('would', ' (would do: observe mode)')).join('') + (s.awaitingApproval ?? []).map(row('awaiting', ' (awaiting approval)')).join('') || none(3, 'none');
    // Each step's result comes as an action event and, for a database, a failover.step one too: the timeline shows it once.
    const e = await get('/events?limit=60');
    $('events').innerHTML = e.events.filter((x) => x.kind !== 'failover.step').slice(-30).reverse().map((x) => '<tr><td>' + esc(x.time) + '</td><td>' + esc(x.kind) + '</td><td>' + esc(x.detail) + '</td></tr>').join('') || none(3, s.leader.self ? 'no events yet' : 'events are kept by the leader');
  } catch (err) { $('paused').textContent = /token/.test(err.message) ? err.message : 'daemon unreachable'; }
}
refresh(); setInterval(refresh, 2000);
</script></body></html>
`;

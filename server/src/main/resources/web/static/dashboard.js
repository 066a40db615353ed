// The operators' dashboard. The operator key stays in this tab's sessionStorage and goes only into the
// Authorization header of this origin's API calls.
import { onLanguage, t } from './i18n.js';
import { call, checkRequired, clear, clearErrors, el, initPage, showApiError, showFieldError, showFormError }
  from './common.js';
import { columns, ranking } from './chart.js';

const KEY = 'dunblock.operatorKey';
const REFRESH_MS = 15_000;
const login = document.getElementById('login-form');
const board = document.getElementById('board');
let timer = null;
let lastStats = null;
let lastAppeals = null;

initPage();
onLanguage(() => {
  if (lastStats) {
    showStats(lastStats);
  }
  if (lastAppeals) {
    showAppeals(lastAppeals);
  }
});

function auth() {
  return { Authorization: `Bearer ${sessionStorage.getItem(KEY)}` };
}

login.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(login);
  if (!checkRequired(login, ['key'])) {
    return;
  }
  sessionStorage.setItem(KEY, login.elements.key.value.trim());
  if (!(await refresh())) {
    sessionStorage.removeItem(KEY);
    showFieldError(login, 'key', t('dash.badKey'));
    login.elements.key.focus();
  }
});

document.getElementById('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  clearInterval(timer);
  timer = null;
  board.hidden = true;
  login.hidden = false;
  login.reset();
  login.elements.key.focus();
});

if (sessionStorage.getItem(KEY)) {
  refresh();
}

/** Signs in: loads the figures and the appeals; false when the key is refused. */
async function refresh() {
  if (!(await loadStats())) {
    return false;
  }
  login.hidden = true;
  board.hidden = false;
  await loadAppeals();
  if (!timer) {
    // Only the figures refresh by themselves: redrawing the appeals would wipe a note being typed.
    timer = setInterval(loadStats, REFRESH_MS);
  }
  return true;
}

async function loadStats() {
  const stats = await call('/v1/admin/stats', { headers: auth() });
  if (stats.status === 401 || stats.status === 403) {
    return false;
  }
  if (stats.status === 200) {
    lastStats = stats.body;
    showStats(stats.body);
  }
  return true;
}

document.getElementById('appeals-refresh').addEventListener('click', loadAppeals);

function showStats(s) {
  const lookups = s.lookups.perMinute;
  const reports = s.reports.perMinute;
  text('fig-lookups', lookups[lookups.length - 1]);
  text('fig-reports', reports[reports.length - 1]);
  text('fig-fastpath', s.lookups.fastPathRatio === null ? '—' : `${Math.round(s.lookups.fastPathRatio * 100)} %`);
  text('fig-blocked', s.blockedExact ? s.blocked : `${s.blocked} ${t('dash.lowerBound')}`);
  text('fig-reports24', s.reports.complete ? s.reports.last24h : `${s.reports.last24h} ${t('dash.lowerBound')}`);
  text('fig-listed', s.listed);
  const at = Date.parse(s.generatedAt);
  columns(document.getElementById('chart-lookups'), minutes(lookups, at), t('dash.lookupsChart'));
  columns(document.getElementById('chart-reports'), minutes(reports, at), t('dash.reportsChart'));
  ranking(document.getElementById('top-numbers'),
    s.reports.topNumbers.map((n) => ({ label: n.number, value: n.reports })), t('result.none'));
  ranking(document.getElementById('top-platforms'),
    s.reports.topPlatforms.map((p) => ({ label: p.name, value: p.reports })), t('result.none'));
  const alerts = clear(document.getElementById('alerts'));
  if (s.explosionAlerts.length === 0) {
    alerts.append(el('p', t('dash.noAlerts')));
  } else {
    const list = el('ul');
    for (const a of s.explosionAlerts) {
      const item = el('li');
      item.append(numberLink(a.number), ` ${a.verdict} · ${a.reporters} / ${a.networks}`);
      list.append(item);
    }
    alerts.append(list);
  }
  text('updated', t('dash.updated', { time: new Date(s.generatedAt).toLocaleTimeString() }));
}

/** Labels the per-minute figures (oldest first, the last one the minute of `now`) with their times. */
function minutes(values, now) {
  return values.map((value, i) => ({
    label: new Date(now - (values.length - 1 - i) * 60_000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
    value,
  }));
}

async function loadAppeals() {
  const answer = await call('/v1/admin/appeals?status=pending&limit=100', { headers: auth() });
  if (answer.status === 200) {
    lastAppeals = answer.body.appeals;
    showAppeals(lastAppeals);
  }
}

function showAppeals(appeals) {
  const box = clear(document.getElementById('appeals'));
  if (appeals.length === 0) {
    box.append(el('p', t('dash.noAppeals')));
    return;
  }
  const table = el('table', null, { class: 'appeals' });
  const head = el('tr');
  for (const key of ['number', 'verdict', 'reason', 'contact', 'filed', 'decide']) {
    head.append(el('th', t(`dash.col.${key}`), { scope: 'col' }));
  }
  table.append(el('thead'), el('tbody'));
  table.tHead.append(head);
  for (const a of appeals) {
    const row = el('tr', null, { 'data-appeal': a.appealId });
    const number = el('td');
    number.append(numberLink(a.number));
    row.append(number, el('td', `${a.reputation.verdict} (${a.reputation.score})`), el('td', a.reason, { class: 'appeal-reason' }),
      el('td', a.contact), el('td', new Date(a.createdAt).toLocaleString()));
    const decide = el('td');
    const noteId = `note-${a.appealId}`;
    decide.append(el('label', t('dash.decisionNote', { number: a.number }), { for: noteId, class: 'visually-hidden' }),
      el('input', null, { id: noteId, type: 'text', maxlength: '500' }));
    for (const decision of ['allow', 'reject']) {
      const button = el('button', t(`dash.${decision}`), { type: 'button', class: `decide-${decision}` });
      button.addEventListener('click', () => decideAppeal(a, decision, document.getElementById(noteId).value));
      decide.append(' ', button);
    }
    const pack = el('button', t('dash.pack'), { type: 'button', class: 'pack' });
    pack.addEventListener('click', () => download(`/v1/evidence/numbers/${encodeURIComponent(a.number)}?format=html`,
      `evidence-${a.number}.html`));
    decide.append(' ', pack);
    row.append(decide);
    table.tBodies[0].append(row);
    // Later appeals about the number joined this one: each statement on its own row under it.
    for (const more of a.furtherStatements || []) {
      const extra = el('tr', null, { class: 'appeal-statement' });
      extra.append(el('td'), el('td'), el('td', more.reason), el('td', more.contact),
        el('td', new Date(more.createdAt).toLocaleString()), el('td'));
      table.tBodies[0].append(extra);
    }
  }
  box.append(table);
}

async function decideAppeal(appeal, decision, note) {
  const body = { decision };
  if (note.trim()) {
    body.note = note.trim();
  }
  const answer = await call(`/v1/admin/appeals/${encodeURIComponent(appeal.appealId)}/decision`,
    { method: 'POST', body, headers: auth() });
  const status = document.getElementById('appeal-status');
  status.textContent = answer.status === 200
    ? t('dash.decided', { id: appeal.appealId, status: answer.body.status })
    : t('error.generic') + (answer.body ? answer.body.message : answer.status);
  await loadAppeals();
}

const overrides = document.getElementById('override-form');
overrides.addEventListener('submit', (event) => {
  event.preventDefault();
  override('PUT');
});
document.getElementById('override-clear').addEventListener('click', () => override('DELETE'));

async function override(method) {
  clearErrors(overrides);
  text('override-done', '');
  if (!checkRequired(overrides, ['onumber', 'oreason'])) {
    return;
  }
  const number = encodeURIComponent(overrides.elements.onumber.value.trim());
  const reason = overrides.elements.oreason.value.trim();
  const answer = method === 'PUT'
    ? await call(`/v1/admin/overrides/${number}`, { method, headers: auth(),
      body: { verdict: overrides.elements.overdict.value, reason } })
    : await call(`/v1/admin/overrides/${number}?reason=${encodeURIComponent(reason)}`, { method, headers: auth() });
  if (answer.status === 200) {
    text('override-done', t('dash.overrideDone'));
  } else if (answer.status === 403) {
    showFormError(overrides, t('dash.needAdmin'));
  } else {
    const error = answer.body || { error: 'generic', message: String(answer.status) };
    // The API names the path's number 'number'; this form's field is 'onumber'.
    if (error.error === 'invalid_number') {
      showFieldError(overrides, 'onumber', t('error.invalid_number'));
    } else {
      showApiError(overrides, error);
    }
  }
}

document.getElementById('export-csv').addEventListener('click', () => download('/v1/export?format=csv', 'dunblock-export.csv'));
document.getElementById('export-jsonl').addEventListener('click', () => download('/v1/export?format=jsonl', 'dunblock-export.jsonl'));

const packs = document.getElementById('pack-form');
packs.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(packs);
  const number = packs.elements.pnumber.value.trim();
  const platform = packs.elements.pplatform.value.trim();
  if (number) {
    download(`/v1/evidence/numbers/${encodeURIComponent(number)}?format=html`, `evidence-${number}.html`, packs, 'pnumber');
  }
  if (platform) {
    download(`/v1/evidence/platforms/${encodeURIComponent(platform)}?format=html`, `evidence-${platform}.html`, packs, 'pplatform');
  }
});

/** Downloads with the key in the header (a plain link cannot carry it) and saves the body as a file. */
async function download(path, filename, form, field) {
  let response;
  try {
    response = await fetch(path, { headers: auth(), cache: 'no-store' });
  } catch (e) {
    return;
  }
  if (!response.ok) {
    const error = await response.json().catch(() => ({ error: 'generic', message: String(response.status) }));
    if (form) {
      showFieldError(form, field, t('error.generic') + error.message);
    }
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = el('a', null, { href: url, download: filename.replace(/[^\w.+-]/g, '_') });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function numberLink(number) {
  return el('a', number, { href: `/?number=${encodeURIComponent(number)}` });
}

function text(id, value) {
  document.getElementById(id).textContent = String(value);
}

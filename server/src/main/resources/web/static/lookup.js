// The public lookup page: verdict, reasons, categories, platforms, reports per day and what to do.
import { onLanguage, t } from './i18n.js';
import { call, checkRequired, clear, clearErrors, el, fillList, initPage, param, showApiError } from './common.js';
import { columns } from './chart.js';

const DAYS = 30;
const form = document.getElementById('lookup-form');
const result = document.getElementById('result');
const status = document.getElementById('lookup-status');
let shown = null;

initPage();
onLanguage(() => shown && render(shown.reputation, shown.history));

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  if (checkRequired(form, ['number'])) {
    const number = form.elements.number.value.trim();
    history.replaceState(null, '', `/?number=${encodeURIComponent(number)}`);
    lookup(number);
  }
});

const initial = param('number');
if (initial) {
  form.elements.number.value = initial;
  lookup(initial);
}

async function lookup(number) {
  status.textContent = t('lookup.loading');
  const answer = await call(`/v1/numbers/${encodeURIComponent(number)}`);
  status.textContent = '';
  if (answer.status !== 200) {
    result.hidden = true;
    showApiError(form, answer.body || { error: 'generic', message: String(answer.status) });
    return;
  }
  const reputation = answer.body;
  let perDay = { timeZone: 'UTC', reportsPerDay: {} };
  if (reputation.reports > 0) {
    const h = await call(`/v1/numbers/${encodeURIComponent(reputation.number)}/history`);
    if (h.status === 200) {
      perDay = h.body;
    }
  }
  shown = { reputation, history: perDay };
  render(reputation, perDay);
}

function render(r, perDay) {
  document.getElementById('result-number').textContent = r.number;
  const code = document.getElementById('verdict-code');
  code.textContent = r.verdict;
  code.className = `badge badge-${r.verdict.toLowerCase()}`;
  document.getElementById('verdict-label').textContent = t(`verdict.${r.verdict}`);
  document.getElementById('verdict-text').textContent = t(`verdict.${r.verdict}.text`);
  document.getElementById('fact-reports').textContent = r.reports;
  document.getElementById('fact-networks').textContent = r.networks;
  document.getElementById('fact-score').textContent = r.score;
  document.getElementById('fact-first').textContent = when(r.firstReported);
  document.getElementById('fact-last').textContent = when(r.lastReported);
  fillList(document.getElementById('reasons'), r.reasons.map((code) => t(`reason.${code}`)));
  fillList(document.getElementById('categories'),
    Object.entries(r.categories).map(([c, n]) => `${t(`category.${c}`)}: ${n}`));
  fillList(document.getElementById('platforms'), (r.platforms || []).map((p) => `${p.name} (${p.count})`));
  const days = lastDays(perDay.timeZone);
  const items = days.map((day) => ({ label: day, value: perDay.reportsPerDay[day] || 0 }));
  const total = items.reduce((sum, i) => sum + i.value, 0);
  columns(document.getElementById('chart'), items, t('result.chartLabel', { total }));
  advice(r);
  document.getElementById('report-link').href = `/report?number=${encodeURIComponent(r.number)}`;
  document.getElementById('appeal-link').href = `/appeal?number=${encodeURIComponent(r.number)}`;
  document.getElementById('appeal-link').hidden = r.verdict === 'ALLOW';
  result.hidden = false;
}

function advice(r) {
  const list = clear(document.getElementById('advice'));
  const keys = r.reports === 0 && r.verdict === 'ALLOW'
    ? ['advice.unreported']
    : [...(r.verdict === 'ALLOW' ? [] : ['advice.block']), 'advice.dontPay', 'advice.evidence', 'advice.complain',
      'advice.police'];
  keys.forEach((key) => list.append(el('li', t(key))));
}

/** The server gives the day only (midnight UTC), so show the date of that day, not a time in the local zone. */
function when(iso) {
  return iso ? new Date(iso).toLocaleDateString(document.documentElement.lang, { timeZone: 'UTC' }) : '—';
}

/** The last DAYS dates (YYYY-MM-DD) in the number's time zone, oldest first. */
function lastDays(timeZone) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date());
  const base = Date.parse(`${today}T00:00:00Z`);
  const days = [];
  for (let i = DAYS - 1; i >= 0; i--) {
    days.push(new Date(base - i * 86_400_000).toISOString().slice(0, 10));
  }
  return days;
}

// The public report page: an anonymous reporter token kept in this browser, one report per submission.
import { t } from './i18n.js';
import { call, initPage, numberForm, showApiError } from './common.js';

const TOKEN = 'dunblock.reporterToken';
const form = document.getElementById('report-form');
const done = document.getElementById('report-done');
const button = form.querySelector('button[type=submit]');

initPage();
numberForm(form, done, ['number', 'category'], async () => {
  const body = { number: form.elements.number.value.trim(), category: form.elements.category.value };
  const platform = form.elements.platform.value.trim();
  const note = form.elements.note.value.trim();
  if (platform) {
    body.platform = platform;
  }
  if (note) {
    body.note = note;
  }
  button.disabled = true;
  button.textContent = t('report.sending');
  try {
    // One key per submission: if the answer is lost and the visitor sends again, the report counts once.
    const answer = await send(body, crypto.randomUUID());
    if (answer.status === 202) {
      showDone(answer.body);
    } else {
      showApiError(form, answer.body || { error: 'generic', message: String(answer.status) });
    }
  } finally {
    button.disabled = false;
    button.textContent = t('report.submit');
  }
});

async function send(body, idempotencyKey) {
  let answer;
  for (let attempt = 0; attempt < 2; attempt++) {
    const token = await reporterToken();
    if (!token.ok) {
      return token.answer;
    }
    answer = await call('/v1/reports', { method: 'POST', body,
      headers: { Authorization: `Bearer ${token.value}`, 'Idempotency-Key': idempotencyKey } });
    if (answer.status !== 401) {
      return answer;
    }
    // A token this server no longer knows (another deployment's secret): get a fresh one, once.
    localStorage.removeItem(TOKEN);
  }
  return answer;
}

async function reporterToken() {
  const saved = localStorage.getItem(TOKEN);
  if (saved) {
    return { ok: true, value: saved };
  }
  const answer = await call('/v1/reporters', { method: 'POST' });
  if (answer.status !== 201) {
    return { ok: false, answer };
  }
  localStorage.setItem(TOKEN, answer.body.token);
  return { ok: true, value: answer.body.token };
}

function showDone(accepted) {
  const key = accepted.counted ? 'report.done' : 'report.updated';
  document.getElementById('report-done-text').textContent = t(key, { number: accepted.number });
  document.getElementById('report-look').href = `/?number=${encodeURIComponent(accepted.number)}`;
  form.elements.category.value = '';
  form.elements.platform.value = '';
  form.elements.note.value = '';
  done.hidden = false;
  done.focus();
}

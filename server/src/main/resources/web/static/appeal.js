// The public appeal page: the owner of a number asks operators to review its verdict.
import { t } from './i18n.js';
import { call, initPage, numberForm, showApiError } from './common.js';

const form = document.getElementById('appeal-form');
const done = document.getElementById('appeal-done');

initPage();
numberForm(form, done, ['number', 'contact', 'reason'], async () => {
  const answer = await call('/v1/appeals', { method: 'POST', body: {
    number: form.elements.number.value.trim(),
    contact: form.elements.contact.value.trim(),
    reason: form.elements.reason.value.trim(),
  } });
  if (answer.status === 202) {
    document.getElementById('appeal-done-text').textContent = t('appeal.done', { id: answer.body.appealId });
    form.reset();
    done.hidden = false;
    done.focus();
  } else {
    showApiError(form, answer.body || { error: 'generic', message: String(answer.status) });
  }
});

// Helpers shared by the pages. Everything a user or the server wrote is put into the page with textContent or
// attributes, never parsed as HTML.
import { initLanguage, t } from './i18n.js';

/** fetch() that never uses the HTTP cache (a verdict can change within a lookup's max-age) and reads JSON. */
export async function call(path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, cache: 'no-store', headers: { ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    return { status: 0, body: { error: 'network', message: String(e) } };
  }
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('application/json') ? await response.json() : null;
  return { status: response.status, body: data, response };
}

/** A new element with optional text (as text) and attributes. */
export function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, value);
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** A list of texts into a <ul>, or "None". */
export function fillList(list, texts) {
  clear(list);
  if (texts.length === 0) {
    list.append(el('li', t('result.none')));
  }
  for (const text of texts) {
    list.append(el('li', text));
  }
}

/** The field an API error is about, when the error names one the form has. */
export function fieldOf(error, form) {
  const byCode = { invalid_number: 'number', invalid_region: 'number', nothing_to_appeal: 'number',
    invalid_category: 'category', invalid_platform: 'platform' };
  let name = byCode[error.error];
  if (!name && error.message) {
    const quoted = /'([A-Za-z]+)'/.exec(error.message);
    name = quoted ? quoted[1] : undefined;
  }
  return name && form.elements.namedItem(name) ? name : null;
}

/** The visitor's words for an API error: our translation for known codes, else the server's message. */
export function errorText(error) {
  const key = `error.${error.error}`;
  const text = t(key);
  return text === key ? t('error.generic') + (error.message || error.error) : text;
}

export function showFieldError(form, name, message) {
  const input = form.elements.namedItem(name);
  const box = document.getElementById(`${name}-error`);
  input.setAttribute('aria-invalid', 'true');
  box.textContent = message;
  box.hidden = false;
}

export function showFormError(form, message) {
  const box = form.querySelector('.form-error');
  box.textContent = message;
  box.hidden = false;
}

export function clearErrors(form) {
  for (const box of form.querySelectorAll('.error, .form-error')) {
    box.textContent = '';
    box.hidden = true;
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
  }
}

/** Shows an API error next to its field, or above the button; focuses the field so keyboard users land there. */
export function showApiError(form, error) {
  const name = fieldOf(error, form);
  if (name) {
    showFieldError(form, name, errorText(error));
    form.elements.namedItem(name).focus();
  } else {
    showFormError(form, errorText(error));
  }
}

/** Required fields left empty get their message; returns false when any did. */
export function checkRequired(form, names) {
  let first = null;
  for (const name of names) {
    const input = form.elements.namedItem(name);
    if (!input.value.trim()) {
      showFieldError(form, name, t(`error.required.${name}`));
      first = first || input;
    }
  }
  if (first) {
    first.focus();
  }
  return first === null;
}

/** The page's ?name= query value, if any. */
export function param(name) {
  return new URLSearchParams(window.location.search).get(name);
}

/**
 * A form about one number (report, appeal): its number field starts from ?number=, and each submission clears the
 * previous errors and confirmation, checks the required fields, then runs {@code submit}.
 */
export function numberForm(form, done, required, submit) {
  const initial = param('number');
  if (initial) {
    form.elements.number.value = initial;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    done.hidden = true;
    if (checkRequired(form, required)) {
      await submit();
    }
  });
}

export function initPage() {
  initLanguage();
}

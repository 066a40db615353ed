// Small bar charts as SVG built with DOM calls (no library, no inline style: the CSP allows neither).
import { el } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, String(value));
  }
  if (text !== undefined) {
    node.textContent = String(text);
  }
  return node;
}

/**
 * Vertical bars, one per item ({label, value}), oldest left. The figure is labelled for screen readers and
 * each bar has a tooltip; firstLabel/lastLabel are written under the ends of the axis.
 */
export function columns(container, items, label) {
  const width = 600;
  const height = 140;
  const max = Math.max(1, ...items.map((i) => i.value));
  const step = width / Math.max(1, items.length);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height + 20}`, role: 'img', 'aria-label': label,
    class: 'chart' });
  items.forEach((item, index) => {
    const h = Math.round((item.value / max) * height);
    const bar = svg('rect', { x: (index * step + 1).toFixed(1), y: height - h, width: Math.max(1, step - 2).toFixed(1),
      height: h, class: 'bar' });
    bar.append(svg('title', {}, `${item.label}: ${item.value}`));
    chart.append(bar);
  });
  chart.append(svg('line', { x1: 0, y1: height + 0.5, x2: width, y2: height + 0.5, class: 'axis' }));
  if (items.length > 0) {
    chart.append(svg('text', { x: 0, y: height + 16, class: 'tick' }, items[0].label));
    chart.append(svg('text', { x: width, y: height + 16, class: 'tick', 'text-anchor': 'end' },
      items[items.length - 1].label));
  }
  container.replaceChildren(chart);
}

/** Horizontal bars with their labels and values as text, most first: readable on a phone and by screen readers. */
export function ranking(container, items, emptyText) {
  if (items.length === 0) {
    container.replaceChildren(el('p', emptyText));
    return;
  }
  const max = Math.max(1, ...items.map((i) => i.value));
  const list = el('ol', null, { class: 'ranking' });
  for (const item of items) {
    const row = el('li');
    row.append(el('span', item.label, { class: 'rank-label' }));
    const meter = el('meter', null, { min: 0, max, value: item.value });
    meter.textContent = String(item.value);
    row.append(meter, el('span', item.value, { class: 'rank-value' }));
    list.append(row);
  }
  container.replaceChildren(list);
}

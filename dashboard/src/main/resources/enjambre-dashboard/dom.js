// Small DOM helpers: element builders, change-only setters and keyed list reconciliation.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'text') {
      el.textContent = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Creates an HTML element: h('a', {href: '#/jobs', class: 'x', onclick: fn}, 'text', childNode). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** Creates an SVG element with the same conventions as h(). */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Sets textContent only when it changed, so unchanged nodes are not touched. */
export function setText(el, value) {
  const text = value === null || value === undefined ? '' : String(value);
  if (el.textContent !== text) el.textContent = text;
}

/** Sets (or with null/undefined/false removes) an attribute only when it changed. */
export function setAttr(el, name, value) {
  if (value === null || value === undefined || value === false) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
    return;
  }
  const text = value === true ? '' : String(value);
  if (el.getAttribute(name) !== text) el.setAttribute(name, text);
}

/** The first descendant with data-role="role". */
export function role(el, name) {
  return el.querySelector(`[data-role="${name}"]`);
}

/**
 * Makes container's children match items, in order, reusing the child whose data-key equals
 * keyOf(item): create(item) builds a new child, update(child, item) refreshes one. Focus and
 * element identity survive updates, which keeps keyboard users and browser tests steady.
 */
export function reconcile(container, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of Array.from(container.children)) {
    if (child.dataset.key !== undefined) existing.set(child.dataset.key, child);
  }
  let cursor = container.firstElementChild;
  while (cursor && cursor.dataset.key === undefined) cursor = cursor.nextElementSibling;
  for (const item of items) {
    const key = String(keyOf(item));
    let child = existing.get(key);
    if (child) {
      existing.delete(key);
    } else {
      child = create(item);
      child.dataset.key = key;
    }
    update(child, item);
    if (child !== cursor) {
      container.insertBefore(child, cursor);
    } else {
      cursor = cursor.nextElementSibling;
    }
  }
  for (const stale of existing.values()) stale.remove();
}

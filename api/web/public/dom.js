// DOM helpers. Text from the server always goes in through text nodes (never innerHTML), so markup stored
// in a name is shown as text; the CSP (script-src 'self') is the second fence.
export const $ = (id) => document.getElementById(id);

/** el('a', {class: 'x', href: '#/'}, 'text', child) — attributes by setAttribute, children as text nodes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'onclick') node.addEventListener('click', v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return node;
}

export function show(id, visible) {
  $(id).hidden = !visible;
}

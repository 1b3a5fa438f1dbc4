/** A tiny XML writer: enough for AWS Query responses, nothing more. */

/** Escapes text for an XML element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]!};`);
}

/** An XML fragment; `undefined` and `null` children are left out, so optional fields stay absent. */
export type XmlChild = string | number | boolean | XmlFragment | undefined | null;

/** Already-rendered XML (never escaped again). */
export class XmlFragment {
  constructor(readonly xml: string) {}
}

/** `<name>children</name>`; a string child is escaped text. */
export function el(name: string, ...children: XmlChild[]): XmlFragment {
  let inner = '';
  for (const child of children) {
    if (child === undefined || child === null) continue;
    inner += child instanceof XmlFragment ? child.xml : escapeXml(String(child));
  }
  return new XmlFragment(`<${name}>${inner}</${name}>`);
}

/** `<name>value</name>`, or nothing when `value` is undefined: for optional scalar fields. */
export function opt(name: string, value: string | number | boolean | undefined): XmlFragment | undefined {
  return value === undefined ? undefined : el(name, value);
}

/** A list: every entry wrapped in `<member>` (EC2 uses `item`, RDS names its members). */
export function list<T>(name: string, member: string, items: readonly T[], render: (item: T) => XmlChild[]): XmlFragment {
  return el(name, ...items.map((item) => el(member, ...render(item))));
}

/** A whole document with its root element in the service's namespace. */
export function document(root: string, namespace: string | undefined, ...children: XmlChild[]): string {
  const inner = el(root, ...children).xml;
  const open = namespace === undefined ? `<${root}>` : `<${root} xmlns="${escapeXml(namespace)}">`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${open}${inner.slice(root.length + 2)}`;
}

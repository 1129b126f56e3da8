/**
 * XML in and out for WebDAV. Requests are parsed by @xmldom/xmldom after refusing any DTD: no entity
 * is ever expanded (no XXE, no billion laughs). Responses are written as text with escaping.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';

export const NS = {
  dav: 'DAV:',
  caldav: 'urn:ietf:params:xml:ns:caldav',
  cs: 'http://calendarserver.org/ns/',
} as const;

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

export function parseXml(text: string): Element {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlError('XML with a DTD or entity declarations is not accepted');
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new XmlError(`malformed XML: ${message}`);
    },
  });
  let doc;
  try {
    doc = parser.parseFromString(text, 'application/xml');
  } catch (error) {
    throw error instanceof XmlError ? error : new XmlError(`malformed XML: ${(error as Error).message}`);
  }
  if (!doc.documentElement) throw new XmlError('the XML body has no root element');
  return doc.documentElement;
}

export const elements = (el: Element): Element[] => {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
};

export const is = (el: Element, ns: string, name: string) => el.namespaceURI === ns && el.localName === name;

export const child = (el: Element, ns: string, name: string) => elements(el).find((c) => is(c, ns, name));

export const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A requested property, by namespace and local name. */
export interface PropName {
  readonly ns: string;
  readonly name: string;
}

const PREFIX: Record<string, string> = { [NS.dav]: 'D', [NS.caldav]: 'C', [NS.cs]: 'CS' };

/** The qualified tag of a property in our responses (unknown namespaces get their own xmlns). */
export function tag(p: PropName): { open: string; close: string; empty: string } {
  const prefix = PREFIX[p.ns];
  if (prefix)
    return { open: `<${prefix}:${p.name}>`, close: `</${prefix}:${p.name}>`, empty: `<${prefix}:${p.name}/>` };
  const x = `X:${p.name} xmlns:X="${esc(p.ns)}"`;
  return { open: `<${x}>`, close: `</X:${p.name}>`, empty: `<${x}/>` };
}

export const MULTISTATUS_OPEN = `<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:" xmlns:C="${NS.caldav}" xmlns:CS="${NS.cs}">`;
export const MULTISTATUS_CLOSE = '</D:multistatus>';

/** One <response> with a 200 propstat for found properties and a 404 propstat for the others. */
export function response(href: string, found: readonly [PropName, string][], missing: readonly PropName[]): string {
  let out = `<D:response><D:href>${esc(href)}</D:href>`;
  if (found.length || !missing.length)
    out += `<D:propstat><D:prop>${found
      .map(([p, v]) => (v === '' ? tag(p).empty : `${tag(p).open}${v}${tag(p).close}`))
      .join('')}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>`;
  if (missing.length)
    out += `<D:propstat><D:prop>${missing.map((p) => tag(p).empty).join('')}</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>`;
  return `${out}</D:response>`;
}

export const errorBody = (ns: string, condition: string, inner = '') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:" xmlns:C="${NS.caldav}"><${ns === NS.caldav ? 'C' : 'D'}:${condition}>${inner}</${ns === NS.caldav ? 'C' : 'D'}:${condition}></D:error>`;

// Offline check of manifest.xml: element order and required elements for the parts we use, resource
// references, ids, requirement sets, and that every URL maps to a file the build produced (icons in
// their declared size, handler names present in the bundles). Returns the problems found, [] if none.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import * as R from './rules.js';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const NS_APP = 'http://schemas.microsoft.com/office/appforoffice/1.1';
const NS_VO_1_0 = 'http://schemas.microsoft.com/office/mailappversionoverrides';
const NS_VO_1_1 = 'http://schemas.microsoft.com/office/mailappversionoverrides/1.1';

export interface ManifestCheckOptions {
  /** The build output; URLs are resolved against it. */
  readonly distDir: string;
  /** The base URL manifest URLs start with (https://localhost:3000 in development). */
  readonly baseUrl: string;
}

const children = (el: Element): Element[] =>
  Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1) as Element[];
const child = (el: Element, name: string) => children(el).find((c) => c.localName === name);
const xsiType = (el: Element) => el.getAttributeNS(XSI, 'type') ?? el.getAttribute('xsi:type') ?? '';
const where = (el: Element): string => {
  const parts: string[] = [];
  for (let n: Element | null = el; n && n.nodeType === 1; n = n.parentNode as Element | null) {
    const id = n.getAttribute('id');
    parts.unshift(`${n.localName}${xsiType(n) ? `[${xsiType(n)}]` : ''}${id ? `#${id}` : ''}`);
  }
  return parts.join('/');
};

/** Reads a PNG's size from its IHDR chunk; undefined if the file is not a PNG. */
function pngSize(file: string): { width: number; height: number } | undefined {
  const buf = readFileSync(file);
  const signature = '89504e470d0a1a0a';
  if (buf.length < 24 || buf.subarray(0, 8).toString('hex') !== signature) return undefined;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

export function checkManifest(xml: string, options: ManifestCheckOptions): string[] {
  const problems: string[] = [];
  const report = (el: Element | undefined, text: string) => problems.push(el ? `${where(el)}: ${text}` : text);

  let root: Element | null;
  try {
    const doc = new DOMParser({
      onError: (level: string, message: string) => {
        if (level !== 'warning') problems.push(`XML ${level}: ${message}`);
      },
    }).parseFromString(xml, 'application/xml');
    root = doc.documentElement;
  } catch (error) {
    return [...problems, `XML is not well-formed: ${error instanceof Error ? error.message : String(error)}`];
  }
  if (!root || root.localName !== 'OfficeApp' || root.namespaceURI !== NS_APP) {
    return [...problems, 'root element must be OfficeApp in the appforoffice/1.1 namespace'];
  }
  if (xsiType(root) !== 'MailApp') report(root, 'xsi:type must be MailApp');

  const sequence = (el: Element | undefined, seq: R.Sequence) => {
    if (!el) return;
    const names = children(el).map((c) => c.localName ?? '');
    let i = 0;
    for (const [name, min, max] of seq) {
      let count = 0;
      while (i < names.length && names[i] === name) {
        count++;
        i++;
      }
      if (count < min) report(el, `required element <${name}> is missing or out of order`);
      if (count > max) report(el, `<${name}> may occur at most ${max} time(s)`);
    }
    if (i < names.length) report(el, `<${names[i]}> is not allowed here or is out of order`);
  };
  const requireAttr = (el: Element, attr: string) => {
    if (!el.getAttribute(attr)) report(el, `attribute ${attr} is required`);
  };

  sequence(root, R.OFFICE_APP_MAIL);
  const id = child(root, 'Id')?.textContent?.trim() ?? '';
  if (!R.GUID.test(id)) report(root, `Id "${id}" is not a GUID`);
  for (const name of ['DisplayName', 'Description'] as const) {
    const el = child(root, name);
    if (el) requireAttr(el, 'DefaultValue');
  }
  const permissions = child(root, 'Permissions')?.textContent?.trim();
  if (permissions && !['Restricted', 'ReadItem', 'ReadWriteItem', 'ReadWriteMailbox'].includes(permissions)) {
    report(child(root, 'Permissions'), `unknown permission "${permissions}"`);
  }
  const formSettings = child(root, 'FormSettings');
  for (const form of formSettings ? children(formSettings) : []) {
    const type = xsiType(form);
    sequence(form, R.FORM_ITEM_READ);
    const desktop = child(form, 'DesktopSettings');
    sequence(desktop, type === 'ItemRead' ? R.DESKTOP_SETTINGS_READ : R.DESKTOP_SETTINGS_EDIT);
  }

  // Every URL in the manifest, with the element that declared it and the icon size it must have.
  const urls: { el: Element; url: string; size?: number }[] = [];
  for (const [name, size] of Object.entries(R.STORE_ICON_SIZES)) {
    const el = child(root, name);
    if (el) urls.push({ el, url: el.getAttribute('DefaultValue') ?? '', size });
  }
  for (const name of ['SupportUrl'] as const) {
    const el = child(root, name);
    if (el) urls.push({ el, url: el.getAttribute('DefaultValue') ?? '' });
  }
  for (const form of formSettings ? children(formSettings) : []) {
    const src = child(child(form, 'DesktopSettings') ?? form, 'SourceLocation');
    if (src) urls.push({ el: src, url: src.getAttribute('DefaultValue') ?? '' });
  }

  const launchFunctions = new Set<string>();
  const commandFunctions = new Set<string>();

  const checkOverrides = (vo: Element, version: '1.0' | '1.1') => {
    sequence(vo, version === '1.0' ? R.VERSION_OVERRIDES_1_0 : R.VERSION_OVERRIDES_1_1);
    const resources = child(vo, 'Resources');
    sequence(resources, R.RESOURCES);
    const table = (name: string) => {
      const map = new Map<string, Element>();
      const section = resources && child(resources, name);
      for (const entry of section ? children(section) : []) {
        const resid = entry.getAttribute('id') ?? '';
        if (!resid) report(entry, 'resource without id');
        if (resid.length > R.LIMITS.resid)
          report(entry, `resource id "${resid}" is longer than ${R.LIMITS.resid} characters`);
        if (map.has(resid)) report(entry, `duplicate resource id "${resid}"`);
        map.set(resid, entry);
      }
      return map;
    };
    const images = table('Images');
    const urlTable = table('Urls');
    const shortStrings = table('ShortStrings');
    const longStrings = table('LongStrings');
    for (const [map, limit] of [
      [shortStrings, R.LIMITS.shortString],
      [longStrings, R.LIMITS.longString],
    ] as const) {
      for (const entry of map.values()) {
        for (const el of [entry, ...children(entry)]) {
          const value = el.getAttribute('DefaultValue') ?? el.getAttribute('Value') ?? '';
          if (value.length > limit) report(el, `string is longer than ${limit} characters`);
        }
      }
    }
    const ref = (el: Element | undefined, map: Map<string, Element>, kind: string) => {
      if (!el) return undefined;
      const resid = el.getAttribute('resid') ?? '';
      const target = map.get(resid);
      if (!target) report(el, `resid "${resid}" does not name a ${kind} resource`);
      return target;
    };
    const urlRef = (el: Element | undefined) => {
      const target = ref(el, urlTable, 'bt:Urls');
      if (el && target) urls.push({ el, url: target.getAttribute('DefaultValue') ?? '' });
    };

    const requirements = child(vo, 'Requirements');
    const sets = requirements && child(requirements, 'Sets');
    const minSet = sets?.getAttribute('DefaultMinVersion') ?? '1.1';

    const hosts = child(vo, 'Hosts');
    const controlIds = new Set<string>();
    for (const host of hosts ? children(hosts) : []) {
      if (xsiType(host) !== 'MailHost') report(host, 'xsi:type must be MailHost');
      sequence(host, version === '1.0' ? R.MAIL_HOST_1_0 : R.MAIL_HOST_1_1);
      const runtimes = child(host, 'Runtimes');
      for (const runtime of runtimes ? children(runtimes) : []) {
        urlRef(runtime);
        for (const override of children(runtime)) {
          if (override.getAttribute('type') !== 'javascript') report(override, 'Override type must be "javascript"');
          urlRef(override);
        }
      }
      const desktop = child(host, 'DesktopFormFactor');
      sequence(desktop, R.FORM_FACTOR);
      if (!desktop) continue;
      urlRef(child(desktop, 'FunctionFile'));
      for (const point of children(desktop).filter((c) => c.localName === 'ExtensionPoint')) {
        const type = xsiType(point);
        if (type === 'LaunchEvent') {
          if (version !== '1.1') report(point, 'LaunchEvent is valid only in VersionOverrides 1.1');
          sequence(point, R.LAUNCH_EVENT_POINT);
          const source = child(point, 'SourceLocation');
          urlRef(source);
          const runtimeIds = runtimes ? children(runtimes).map((r) => r.getAttribute('resid')) : [];
          if (source && !runtimeIds.includes(source.getAttribute('resid'))) {
            report(source, 'SourceLocation must name the resid of a <Runtime>');
          }
          const events = child(point, 'LaunchEvents');
          for (const event of events ? children(events) : []) {
            const eventType = event.getAttribute('Type') ?? '';
            const needed = R.LAUNCH_EVENT_MIN_SET[eventType];
            if (!needed) report(event, `unknown launch event "${eventType}"`);
            else if (R.compareVersions(minSet, needed) < 0)
              report(event, `${eventType} needs Mailbox ${needed} but the overrides declare ${minSet}`);
            requireAttr(event, 'FunctionName');
            launchFunctions.add(event.getAttribute('FunctionName') ?? '');
            if (R.SEND_EVENTS.has(eventType) && !R.SEND_MODES.has(event.getAttribute('SendMode') ?? '')) {
              report(event, 'send events need SendMode PromptUser, SoftBlock or Block');
            }
          }
          continue;
        }
        if (!/^(MessageRead|MessageCompose|AppointmentOrganizer|AppointmentAttendee)CommandSurface$/.test(type)) {
          report(point, `extension point type "${type}" is not checked by this tool`);
          continue;
        }
        sequence(point, R.COMMAND_SURFACE);
        for (const tab of children(point)) {
          requireAttr(tab, 'id');
          sequence(tab, R.TAB);
          for (const group of children(tab)) {
            requireAttr(group, 'id');
            sequence(group, R.GROUP);
            ref(child(group, 'Label'), shortStrings, 'bt:ShortStrings');
            for (const control of children(group).filter((c) => c.localName === 'Control')) {
              const controlId = control.getAttribute('id') ?? '';
              requireAttr(control, 'id');
              if (controlIds.has(`${type}/${controlId}`)) report(control, `duplicate control id "${controlId}"`);
              controlIds.add(`${type}/${controlId}`);
              if (xsiType(control) !== 'Button') report(control, 'only Button controls are checked by this tool');
              sequence(control, R.BUTTON);
              ref(child(control, 'Label'), shortStrings, 'bt:ShortStrings');
              const tip = child(control, 'Supertip');
              sequence(tip, R.SUPERTIP);
              if (tip) {
                ref(child(tip, 'Title'), shortStrings, 'bt:ShortStrings');
                ref(child(tip, 'Description'), longStrings, 'bt:LongStrings');
              }
              const icon = child(control, 'Icon');
              const declared = new Set<number>();
              for (const image of icon ? children(icon) : []) {
                const size = Number(image.getAttribute('size'));
                if (!R.ICON_SIZES.has(size)) report(image, `icon size "${image.getAttribute('size')}" is not allowed`);
                declared.add(size);
                const target = ref(image, images, 'bt:Images');
                if (target) urls.push({ el: image, url: target.getAttribute('DefaultValue') ?? '', size });
              }
              for (const size of [16, 32, 80])
                if (!declared.has(size)) report(icon, `icon of size ${size} is required`);
              const action = child(control, 'Action');
              if (!action) continue;
              if (xsiType(action) === 'ShowTaskpane') {
                sequence(action, version === '1.0' ? R.SHOW_TASKPANE_1_0 : R.SHOW_TASKPANE_1_1);
                urlRef(child(action, 'SourceLocation'));
                if (child(action, 'SupportsPinning') && type !== 'MessageReadCommandSurface') {
                  report(action, 'SupportsPinning is supported on message read surfaces only');
                }
              } else if (xsiType(action) === 'ExecuteFunction') {
                sequence(action, R.EXECUTE_FUNCTION);
                if (!child(desktop, 'FunctionFile')) report(action, 'ExecuteFunction needs a <FunctionFile>');
                commandFunctions.add(child(action, 'FunctionName')?.textContent?.trim() ?? '');
              } else report(action, `unknown action type "${xsiType(action)}"`);
            }
          }
        }
      }
    }

    const info = child(vo, 'WebApplicationInfo');
    if (info) {
      sequence(info, R.WEB_APPLICATION_INFO);
      const clientId = child(info, 'Id')?.textContent?.trim() ?? '';
      if (!R.GUID.test(clientId)) report(info, `WebApplicationInfo Id "${clientId}" is not a GUID`);
      const resource = child(info, 'Resource')?.textContent?.trim() ?? '';
      if (!resource.startsWith('api://') || !resource.endsWith(clientId)) {
        report(info, 'Resource must be api://<host>/<client id>');
      }
      const scopes = child(info, 'Scopes');
      sequence(scopes, [['Scope', 1, Infinity]]);
    }
    const nested = child(vo, 'VersionOverrides');
    if (nested) {
      if (version !== '1.0' || nested.namespaceURI !== NS_VO_1_1 || xsiType(nested) !== 'VersionOverridesV1_1') {
        report(nested, 'only VersionOverridesV1_1 may be nested in VersionOverridesV1_0');
      } else checkOverrides(nested, '1.1');
    }
  };

  const vo = child(root, 'VersionOverrides');
  if (vo) {
    if (vo.namespaceURI !== NS_VO_1_0 || xsiType(vo) !== 'VersionOverridesV1_0') {
      report(vo, 'the outer VersionOverrides must be VersionOverridesV1_0 in the mailappversionoverrides namespace');
    } else checkOverrides(vo, '1.0');
  }

  // Every URL: under the base URL, served by a file of the build, icons in their declared size.
  for (const { el, url, size } of urls) {
    if (!url.startsWith(`${options.baseUrl}/`)) {
      report(el, `URL "${url}" does not start with ${options.baseUrl}/`);
      continue;
    }
    const relative = decodeURIComponent(
      new URL(url).pathname.slice(new URL(options.baseUrl).pathname.replace(/\/$/, '').length + 1),
    );
    const file = path.join(options.distDir, relative);
    if (!existsSync(file)) {
      report(el, `URL "${url}" has no file in the build (${relative})`);
      continue;
    }
    if (size !== undefined) {
      const actual = pngSize(file);
      if (!actual) report(el, `${relative} is not a PNG image`);
      else if (actual.width !== size || actual.height !== size) {
        report(el, `${relative} is ${actual.width}×${actual.height}, declared ${size}×${size}`);
      }
    }
  }

  // Handler names must be registered by the bundles that the manifest points at.
  const bundleText = (name: string) => {
    const file = path.join(options.distDir, name);
    if (!existsSync(file)) return '';
    const html = readFileSync(file, 'utf8');
    if (name.endsWith('.js')) return html;
    const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1] ?? '');
    return scripts
      .filter((src) => !/^https?:/.test(src))
      .map((src) => path.join(options.distDir, src))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
  };
  const commandsJs = bundleText('commands.html');
  const eventsJs = bundleText('events.js');
  for (const name of commandFunctions) {
    // The name as a string literal passed to Office.actions.associate (quotes may be escaped).
    if (!new RegExp(`["'\\\\]${name}["'\\\\]`).test(commandsJs))
      problems.push(`function "${name}" is not registered by commands.html`);
  }
  for (const name of launchFunctions) {
    for (const [bundle, text] of [
      ['commands.html', commandsJs],
      ['events.js', eventsJs],
    ] as const) {
      if (!text.includes(name)) problems.push(`launch event handler "${name}" is not in ${bundle}`);
    }
  }
  return problems;
}

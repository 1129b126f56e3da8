/**
 * Texts the core gives as a code with parameters (errors.ts, log-messages.ts), in the pane's language.
 * Parameters that are words of the core become words of the catalog: a side (`side.*`), an item kind
 * (`kind.*`), an action (`action.*`), a planner's reason (`reason.*`, with the side it was changed in: `changedIn`), a
 * time (`…At`, in the locale); an error behind a log line replaces the line's English `detail`.
 */
import type { ErrorRef } from '../../core/errors.js';
import type { MessageKey, Translator } from './translator.js';

type Params = Readonly<Record<string, string | number>>;

function words(t: Translator, params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(params)) {
    const value = String(raw);
    if (value === '') out[name] = '';
    else if (name === 'side' || name === 'changedIn') out[name] = t.t(`side.${value}` as MessageKey);
    else if (name === 'kind' || name === 'action') out[name] = t.t(`${name}.${value}` as MessageKey);
    else if (name.endsWith('At') && typeof raw === 'number')
      out[name] = new Date(raw).toLocaleString(t.locale, { dateStyle: 'short', timeStyle: 'short' });
    else out[name] = value;
  }
  if (typeof params.reason === 'string')
    out.reason = t.t(`reason.${params.reason}` as MessageKey, { side: out.changedIn || t.t('side.either') });
  return out;
}

/** `prefix.code` translated with its parameters; undefined when the catalog has no such text. */
export function codedText(
  t: Translator,
  prefix: 'error' | 'logline',
  code: string,
  params: Params = {},
  error?: ErrorRef,
): string | undefined {
  const key = `${prefix}.${code}` as MessageKey;
  const values = words(t, params);
  if (error) {
    const cause = codedText(t, 'error', error.code, error.params);
    if (cause !== undefined) values.detail = cause;
  }
  const text = t.t(key, values);
  return text === key ? undefined : text;
}

// For the elements' component tests: the element inside a host that provides the translator (as the
// pane's root does), attached to the document and rendered once.
import { ContextProvider } from '@lit/context';
import type { ReactiveElement } from 'lit';
import { translatorContext } from '../contexts.js';
import { createTranslator } from '../i18n/translator-all.js';

export async function mountElement<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  setup: (el: HTMLElementTagNameMap[K]) => void = () => undefined,
  language = 'en',
): Promise<HTMLElementTagNameMap[K]> {
  const host = document.createElement('div');
  document.body.append(host);
  new ContextProvider(host, { context: translatorContext, initialValue: createTranslator(language) });
  const el = document.createElement(tag);
  setup(el);
  host.append(el);
  await (el as unknown as ReactiveElement).updateComplete;
  return el;
}

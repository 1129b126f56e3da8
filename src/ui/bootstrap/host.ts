import type { HostMode } from '../crm-app/crm-app.js';

export interface HostInfo {
  readonly mode: HostMode;
  /** Office's display language inside Outlook, the browser's language outside. */
  readonly displayLanguage: string | undefined;
}

/**
 * Waits for office.js and tells whether the page runs inside Outlook. Office is passed in (not read
 * from the global) so tests can hand in a fake or nothing at all.
 */
export async function detectHost(
  office: typeof Office | undefined,
  nav: Pick<Navigator, 'language'>,
): Promise<HostInfo> {
  if (!office) return { mode: 'office-missing', displayLanguage: nav.language };
  const info = await office.onReady();
  if (info.host === office.HostType.Outlook) {
    return { mode: 'outlook', displayLanguage: office.context.displayLanguage };
  }
  // Outside Office, onReady resolves with no host: the pane runs in a browser (demo mode).
  return { mode: 'browser', displayLanguage: nav.language };
}

/**
 * One mailbox's Graph connection, the way the add-in opens it: in Outlook with a Microsoft token
 * (nested app authentication, or the dialog fallback), in the offline demo with the Graph emulator's
 * development token. Everything after the token — GraphHttp, the stores — is the same code.
 */
import { SyncError } from '../../core/errors.js';
import { devTokenSource, graphTokenSource, type GraphAuthConfig, type MsalLike, type OfficeLike } from './auth.js';
import { GraphHttp, type GraphHttpOptions } from './graph-http.js';

export const GRAPH_URL = 'https://graph.microsoft.com/v1.0';

export interface OutlookConnectOptions {
  /** The Graph root; default Microsoft Graph v1.0. The demo gives the emulator's `/v1.0`. */
  readonly graphUrl?: string;
  /** The demo's emulator mailbox: selects the development token. Never used with Microsoft Graph. */
  readonly devMailbox?: string;
  readonly auth: GraphAuthConfig;
  readonly http?: Omit<GraphHttpOptions, 'baseUrl' | 'token'>;
}

export async function connectOutlook(
  options: OutlookConnectOptions,
  office: OfficeLike | undefined,
  loadMsal: () => Promise<MsalLike>,
): Promise<GraphHttp> {
  const baseUrl = (options.graphUrl ?? GRAPH_URL).replace(/\/+$/, '');
  let token;
  if (options.devMailbox) {
    if (new URL(baseUrl).hostname.endsWith('graph.microsoft.com')) throw new SyncError('dev-token-not-graph', {});
    token = devTokenSource(options.devMailbox);
  } else {
    if (!office) throw new SyncError('office-missing', {});
    token = await graphTokenSource(options.auth, office, loadMsal);
  }
  return new GraphHttp({ ...options.http, baseUrl, token });
}

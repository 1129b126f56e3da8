import { describe, it } from 'node:test';
import { expect } from 'chai';
import { contentSecurityPolicy, OFFICE_JS_CDN, resolveBuildConfig } from '../../scripts/build-config.js';

describe('build configuration', () => {
  it('development serves office.js from the local package and https://localhost:3000', () => {
    const config = resolveBuildConfig('development', {});
    expect(config.baseUrl).to.equal('https://localhost:3000');
    expect(config.officeJsLocal).to.equal(true);
    expect(config.officeJsUrl).to.equal('office-js/office.js');
  });

  it('production references Microsoft’s CDN and needs ADDIN_BASE_URL', () => {
    expect(() => resolveBuildConfig('production', {})).to.throw(/ADDIN_BASE_URL is not set/);
    const config = resolveBuildConfig('production', { ADDIN_BASE_URL: 'https://crm.example.com/' });
    expect(config.baseUrl).to.equal('https://crm.example.com');
    expect(config.officeJsUrl).to.equal(OFFICE_JS_CDN);
  });

  it('rejects a plain-http base URL and a client id that is not a GUID', () => {
    expect(() => resolveBuildConfig('production', { ADDIN_BASE_URL: 'http://crm.example.com' })).to.throw(/https/);
    expect(() => resolveBuildConfig('development', { ENTRA_CLIENT_ID: 'my-app' })).to.throw(/GUID/);
  });

  it('signs in with the common authority unless a tenant’s is given, and rejects one that is not https', () => {
    expect(resolveBuildConfig('development', {}).authority).to.equal('https://login.microsoftonline.com/common');
    const tenant = 'https://login.microsoftonline.com/0e1f5b0c-5c5e-4b0a-9a53-b6b6e5d0f7a1/';
    expect(resolveBuildConfig('development', { ENTRA_AUTHORITY: tenant }).authority).to.equal(tenant.slice(0, -1));
    expect(() => resolveBuildConfig('development', { ENTRA_AUTHORITY: 'http://login.example.com/x' })).to.throw(
      /ENTRA_AUTHORITY/,
    );
  });

  it('production pages allow scripts from the add-in and office.js’ CDN only, and calls to the listed gateways, Graph and the sign-in', () => {
    const config = resolveBuildConfig('production', {
      ADDIN_BASE_URL: 'https://crm.example.com',
      GATEWAY_ORIGINS: 'https://gw1.example.com, https://gw2.example.com',
    });
    expect(config.gatewayOrigins).to.deep.equal(['https://gw1.example.com', 'https://gw2.example.com']);
    const csp = contentSecurityPolicy({
      officeJsUrl: config.officeJsUrl,
      authority: config.authority,
      connect: [...config.gatewayOrigins, 'https://graph.microsoft.com'],
    });
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('script-src')).to.deep.equal(["'self'", 'https://appsforoffice.microsoft.com']);
    expect(directives.get('connect-src')).to.deep.equal([
      "'self'",
      'https://gw1.example.com',
      'https://gw2.example.com',
      'https://graph.microsoft.com',
      'https://login.microsoftonline.com',
    ]);
    expect(directives.get('object-src')).to.deep.equal(["'none'"]);
    expect(() =>
      resolveBuildConfig('production', { ADDIN_BASE_URL: 'https://a.example', GATEWAY_ORIGINS: 'http://gw' }),
    ).to.throw(/GATEWAY_ORIGINS/);
    expect(() =>
      resolveBuildConfig('production', { ADDIN_BASE_URL: 'https://a.example', GATEWAY_ORIGINS: 'https://gw/dav/' }),
    ).to.throw(/no path/);
  });
});

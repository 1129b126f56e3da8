// HTTPS certificate for the development server: office-addin-dev-certs' trusted localhost certificate
// when it was installed (`npx office-addin-dev-certs install`), otherwise a self-signed certificate
// generated once into .certs/ (git-ignored) so that it only needs trusting once.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import selfsigned from 'selfsigned';

export interface DevCertificate {
  readonly key: string;
  readonly cert: string;
  readonly source: 'office-addin-dev-certs' | 'self-signed';
  readonly certPath: string;
}

export async function loadDevCertificate(projectRoot: string): Promise<DevCertificate> {
  const officeDir = path.join(homedir(), '.office-addin-dev-certs');
  const officeCert = path.join(officeDir, 'localhost.crt');
  const officeKey = path.join(officeDir, 'localhost.key');
  if (existsSync(officeCert) && existsSync(officeKey)) {
    return {
      key: readFileSync(officeKey, 'utf8'),
      cert: readFileSync(officeCert, 'utf8'),
      source: 'office-addin-dev-certs',
      certPath: officeCert,
    };
  }
  const dir = path.join(projectRoot, '.certs');
  const certPath = path.join(dir, 'localhost.crt');
  const keyPath = path.join(dir, 'localhost.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      // 825 days: the longest validity Apple platforms accept for a TLS server certificate.
      notAfterDate: new Date(Date.now() + 825 * 24 * 3600 * 1000),
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    });
    mkdirSync(dir, { recursive: true });
    writeFileSync(keyPath, pems.private, { mode: 0o600 });
    writeFileSync(certPath, pems.cert);
  }
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), source: 'self-signed', certPath };
}

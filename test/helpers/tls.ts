/**
 * Throwaway TLS material for tests: a CA, a server certificate for 127.0.0.1 (also used by the nodes
 * to talk to each other over the cluster bus) and a client certificate, made with the `openssl` CLI.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFiles {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A second, unrelated CA: verifying the servers against it must fail. */
  readonly otherCaFile: string;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
}

function makeCert(dir: string, name: string, ca: string, ext: string): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
}

/** Generate the files in a new temp dir (about a second). Throws when `openssl` is missing. */
export function makeTlsFiles(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'slotpilot-tls-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  // Redis uses the server certificate as a client certificate too (cluster bus, replication, MIGRATE).
  makeCert(dir, 'server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  makeCert(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\n');
  const f = (name: string): string => join(dir, name);
  return {
    dir,
    caFile: f('ca.crt'),
    certFile: f('server.crt'),
    keyFile: f('server.key'),
    clientCertFile: f('client.crt'),
    clientKeyFile: f('client.key'),
    otherCaFile: f('other-ca.crt'),
  };
}

/** redis.conf lines for a TLS-only node: no plaintext port, TLS on the cluster bus and replication. */
export function tlsConfig(files: TlsFiles, authClients: 'yes' | 'no' | 'optional' = 'yes'): string[] {
  return [
    'tls-cluster yes',
    'tls-replication yes',
    `tls-cert-file ${files.certFile}`,
    `tls-key-file ${files.keyFile}`,
    `tls-ca-cert-file ${files.caFile}`,
    `tls-auth-clients ${authClients}`,
  ];
}

/** PEM contents for the harness's own clients. */
export function readTlsPem(files: TlsFiles): { ca: string; cert: string; key: string } {
  return { ca: readFileSync(files.caFile, 'utf8'), cert: readFileSync(files.clientCertFile, 'utf8'), key: readFileSync(files.clientKeyFile, 'utf8') };
}

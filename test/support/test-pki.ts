// A throwaway PKI for the TPP emulator: a test CA, a server certificate it issued for 127.0.0.1,
// and one from a CA nobody trusts.
import { generate } from 'selfsigned';
import { EmulatorTls } from '../emulators/http-emulator';

export interface TestPki {
  /** The test CA's certificate (PEM): what `trustedCaCertificate` carries. */
  readonly caCertificate: string;
  /** Issued by the test CA for 127.0.0.1 and localhost. */
  readonly serverTls: EmulatorTls;
  /** Issued for 127.0.0.1 by a CA nobody trusts. */
  readonly untrustedServerTls: EmulatorTls;
}

export async function makeTestPki(): Promise<TestPki> {
  const ca = await makeCa('cdk-appfabric test CA');
  const strangerCa = await makeCa('Untrusted test CA');
  return {
    caCertificate: ca.cert,
    serverTls: await makeServerCertificate(ca),
    untrustedServerTls: await makeServerCertificate(strangerCa),
  };
}

async function makeCa(commonName: string): Promise<EmulatorTls> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

async function makeServerCertificate(ca: EmulatorTls): Promise<EmulatorTls> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}


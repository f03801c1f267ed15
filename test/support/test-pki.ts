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


/**
 * A fixed CA certificate (public; its key was thrown away) for construct tests and snapshots,
 * where a certificate made per run would change the template.
 */
export const FIXTURE_CA_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIULnG/BxcFCvF/+DHK1EZbHhceYHwwCgYIKoZIzj0EAwIw
IzEhMB8GA1UEAwwYY2RrLWFwcGZhYnJpYyBmaXh0dXJlIENBMB4XDTI2MTEyNjEz
MDc1NloXDTM2MTEyMzEzMDc1NlowIzEhMB8GA1UEAwwYY2RrLWFwcGZhYnJpYyBm
aXh0dXJlIENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtIQhqnz1xZ2WDoOP
XhqHQQj+T6nWSsnBBmvFtLUazrHA/PyPcyyRGilXIQu/n5Qj/MuMQLOqdFxANpcE
imlwrKNTMFEwHQYDVR0OBBYEFCsOpMh28W11hvb0hUmO/VAiYsV4MB8GA1UdIwQY
MBaAFCsOpMh28W11hvb0hUmO/VAiYsV4MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZI
zj0EAwIDSQAwRgIhAIEcO7S/vS4+882Qjl1FiT3edgwUNi9KtyNoBCsTqrIeAiEA
8g0+KOnzeDmTp6gz0w9QfSj8bSSxL+bg7VYVgerXFY0=
-----END CERTIFICATE-----
`;

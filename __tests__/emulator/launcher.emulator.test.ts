/**
 * The emulator launcher: loopback only, a free port, a clean stop, clear errors.
 */
import { createConnection } from 'node:net';
import { EmulatorMissingError, startEmulator, type Emulator } from '../../scripts/lib/emulator';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startEmulator', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('listens on 127.0.0.1 on the port it reports and answers AWS calls', async () => {
    // GIVEN a started emulator
    // THEN its endpoint is loopback with the reported port
    expect(emulator.endpoint).toBe(`http://127.0.0.1:${emulator.port}`);
    expect(emulator.port).toBeGreaterThan(0);
    // WHEN an STS GetCallerIdentity is sent
    const response = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    // THEN moto answers with the default account
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<Account>123456789012</Account>');
  });

  it('stops: the port no longer accepts connections once stop() resolves, and stop() may be called twice', async () => {
    // GIVEN a second emulator
    const second = await startEmulator();
    expect(await accepts(second.port)).toBe(true);
    // WHEN it is stopped (twice)
    await Promise.all([second.stop(), second.stop()]);
    // THEN nothing listens on its port
    expect(await accepts(second.port)).toBe(false);
  });

  it('fails when python3 is missing, saying what to install', async () => {
    await expect(startEmulator({ python: 'python3-that-does-not-exist' })).rejects.toThrow(EmulatorMissingError);
    await expect(startEmulator({ python: 'python3-that-does-not-exist' })).rejects.toThrow(/pip install "moto\[server\]"/);
  });

  it('fails when the port is invalid, naming it', async () => {
    await expect(startEmulator({ port: 70000 })).rejects.toThrow(/port 70000 is not valid/);
  });
});

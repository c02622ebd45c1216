/**
 * The emulator's log of retried requests (emulator/retries.py): an AWS SDK sends every attempt of one call with the
 * same amz-sdk-invocation-id and `amz-sdk-request: attempt=N`; a retry is logged with what became of its first
 * attempt. A retried create the emulator carried out is refused as AWS refuses it (a retry is a new request).
 * The emulator's side of the connection: each answer in one piece, and a client's dropped connection logged.
 */
import { connect } from 'node:net';
import { awsRequest } from '../helpers/aws-request';
import { until } from '../helpers/until';
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';

// The shape of the AWS provider's User-Agent (its first word, APN/1.0, is what the emulator logged before).
const TERRAFORM_AGENT = 'APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io) terraform-provider-aws/5.100.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.36.3 ua/2.1 os/linux';

describe('retried requests in the emulator log', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  const createLogGroup = (name: string, invocation: string, attempt: number) =>
    awsRequest(emulator.endpoint, {
      service: 'logs',
      region: 'eu-west-1',
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.CreateLogGroup', 'user-agent': TERRAFORM_AGENT, 'amz-sdk-invocation-id': invocation, 'amz-sdk-request': `attempt=${attempt}; max=25` },
      body: JSON.stringify({ logGroupName: name }),
    });

  /** The emulator writes its log line after its answer: the test waits for the line, 2 s at most. */
  const logged = (text: string) => until(`the emulator to log "${text}"`, () => emulator.log().includes(text), { timeoutMs: 2_000, intervalMs: 50 });

  it('logs a retry of a create whose first attempt was carried out, and answers it as AWS does: already exists', async () => {
    expect((await createLogGroup('/retried/one', 'inv-1', 1)).status).toBe(200);
    const retry = await createLogGroup('/retried/one', 'inv-1', 2);
    expect(retry.status).toBe(400);
    expect(retry.text).toContain('ResourceAlreadyExistsException');
    await logged('retried request');
    expect(emulator.log()).toMatch(/emulator: retried request \(attempt 2\): Logs_20140328\.CreateLogGroup from terraform-provider-aws\/5\.100\.0; attempt 1 was answered 200 after \d+\.\d s/);
  });

  it('names a query-protocol retry by its Action, and says when its first attempt was not seen; first attempts are not logged (two retries, two lines)', async () => {
    await awsRequest(emulator.endpoint, {
      service: 'elasticloadbalancing',
      region: 'eu-west-1',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'amz-sdk-invocation-id': 'inv-2', 'amz-sdk-request': 'attempt=3; max=25' },
      body: new URLSearchParams({ Action: 'DescribeLoadBalancers', Version: '2015-12-01' }).toString(),
    });
    await createLogGroup('/retried/two', 'inv-3', 1);
    await logged('Action=DescribeLoadBalancers');
    expect(emulator.log()).toMatch(/retried request \(attempt 3\): POST \/ Action=DescribeLoadBalancers from \S+; its earlier attempt was not seen/);
    expect(emulator.log().match(/retried request/g)).toHaveLength(2);
  });

  /** A query-protocol call written on a raw connection, as an SDK writes it (headers, then the body). */
  const DESCRIBE = 'Action=DescribeLoadBalancers&Version=2015-12-01';
  const rawCall = (body: string) =>
    `POST / HTTP/1.1\r\nHost: 127.0.0.1:${emulator.port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
    `Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0\r\n` +
    `Content-Length: ${body.length}\r\n\r\n${body}`;

  it('writes each answer in one piece: a client that reads once gets the status line, the headers and the whole body', async () => {
    // A client that acts on the headers before the body has come (the AWS provider's, seen closing then) must never
    // find the body missing; 20 calls, each read as the chunks the socket delivers.
    for (let call = 0; call < 20; call++) {
      const chunks = await new Promise<Buffer[]>((resolve, reject) => {
        const received: Buffer[] = [];
        const socket = connect(emulator.port, '127.0.0.1', () => socket.write(rawCall(DESCRIBE)));
        socket.on('data', (chunk) => received.push(chunk));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
      });
      const first = chunks[0]!.toString('latin1');
      const [head, body] = first.split('\r\n\r\n') as [string, string | undefined];
      expect(head).toMatch(/^HTTP\/1\.1 200 /);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)![1]);
      expect([call, Buffer.byteLength(body ?? '', 'latin1')]).toEqual([call, length]);
      expect(body).toContain('</DescribeLoadBalancersResponse>');
    }
  });

  it('answers "Expect: 100-continue" at once and once, then the call (the body waits for it, as an S3 upload\'s does)', async () => {
    const body = DESCRIBE;
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      let received = '';
      let sentBody = false;
      const socket = connect(emulator.port, '127.0.0.1', () => socket.write(rawCall(body).replace(`\r\n\r\n${body}`, '\r\nExpect: 100-continue\r\n\r\n')));
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
        if (!sentBody && received.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
          sentBody = true;
          socket.write(body);
        }
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    expect(Date.now() - started).toBeLessThan(900); // not after a client's 1 s timeout
    expect(answer.match(/HTTP\/1\.1 100 Continue/g)).toHaveLength(1);
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*<\/DescribeLoadBalancersResponse>/);
  });

  it('logs a connection the client dropped before its answer was written (the other side of a retry)', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(emulator.port, '127.0.0.1', () => {
        socket.write(rawCall(DESCRIBE), () => {
          socket.resetAndDestroy(); // a reset, not a close: the emulator's answer finds the connection gone
          resolve();
        });
      });
      socket.on('error', reject);
    });
    await logged('connection dropped');
    expect(emulator.log()).toMatch(/emulator: connection dropped by the client while answering POST \/: ConnectionResetError/);
    expect(emulator.log().match(/connection dropped/g)).toHaveLength(1); // once, though the rest of the answer fails too
  });
});

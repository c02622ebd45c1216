/**
 * The emulator's log of retried requests (emulator/retries.py): an AWS SDK sends every attempt of one call with the
 * same amz-sdk-invocation-id and `amz-sdk-request: attempt=N`; a retry is logged with what became of its first
 * attempt. A retried create the emulator carried out is refused as AWS refuses it (a retry is a new request).
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

  it('logs a connection the client dropped before its answer was written (the other side of a retry)', async () => {
    const body = 'Action=DescribeLoadBalancers&Version=2015-12-01';
    const { port } = emulator;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
            `Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0\r\n` +
            `Content-Length: ${body.length}\r\n\r\n${body}`,
          () => {
            socket.resetAndDestroy(); // a reset, not a close: the emulator's answer finds the connection gone
            resolve();
          },
        );
      });
      socket.on('error', reject);
    });
    await logged('connection dropped');
    expect(emulator.log()).toMatch(/emulator: connection dropped by the client while answering POST \/: ConnectionResetError/);
  });
});

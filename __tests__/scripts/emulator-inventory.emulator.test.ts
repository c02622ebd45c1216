/** The destroy check's inventory: it sees what exists, and a deleted VPC endpoint (listed as "deleted", as on AWS) is gone. */
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { addedSince, emulatorInventory } from '../../scripts/lib/emulator-inventory';
import { awsRequest } from '../helpers/aws-request';

describe('emulator inventory', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  }, 60_000);
  afterAll(() => emulator.stop());

  const ec2 = (body: string) =>
    awsRequest(emulator.endpoint, { service: 'ec2', region: 'eu-west-1', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${body}&Version=2016-11-15` });

  it('lists what was created and drops what was deleted', async () => {
    const before = await emulatorInventory(emulator.endpoint, 'eu-west-1');
    const vpc = /<vpcId>([^<]+)</.exec((await ec2('Action=CreateVpc&CidrBlock=10.9.0.0/16')).text)![1]!;
    const kept = /<vpcEndpointId>([^<]+)</.exec((await ec2(`Action=CreateVpcEndpoint&VpcId=${vpc}&ServiceName=com.amazonaws.eu-west-1.s3&VpcEndpointType=Interface`)).text)![1]!;
    const deleted = /<vpcEndpointId>([^<]+)</.exec((await ec2(`Action=CreateVpcEndpoint&VpcId=${vpc}&ServiceName=com.amazonaws.eu-west-1.execute-api&VpcEndpointType=Interface`)).text)![1]!;
    expect(addedSince(before, await emulatorInventory(emulator.endpoint, 'eu-west-1'))).toEqual({ VPCs: [vpc], 'VPC endpoints': [kept, deleted] });
    await ec2(`Action=DeleteVpcEndpoints&VpcEndpointId.1=${deleted}`);
    expect(addedSince(before, await emulatorInventory(emulator.endpoint, 'eu-west-1'))).toEqual({ VPCs: [vpc], 'VPC endpoints': [kept] });
  }, 60_000);
});

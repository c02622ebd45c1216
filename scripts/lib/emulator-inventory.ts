/**
 * What the emulator holds of the kinds the platform creates, listed through the AWS APIs (as a
 * person would check an account), so that `npm run destroy -- local` can show nothing is left.
 * moto's own data dump is not used: it keeps deleted resources and misses patched services.
 */
import { awsRequest } from './aws-request';

type Lister = (endpoint: string, region: string) => Promise<string[]>;

const json = (target: string, service: string, body: object = {}): Lister => async (endpoint, region) => {
  const response = await awsRequest(endpoint, {
    service,
    region,
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${target} answered ${response.status}: ${response.text.slice(0, 200)}`);
  return [response.text];
};

const query = (service: string, action: string, version: string, extra = ''): Lister => async (endpoint, region) => {
  const response = await awsRequest(endpoint, {
    service,
    region,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `Action=${action}&Version=${version}${extra}`,
  });
  if (response.status !== 200) throw new Error(`${service} ${action} answered ${response.status}: ${response.text.slice(0, 200)}`);
  return [response.text];
};

const rest = (service: string, path: string): Lister => async (endpoint, region) => {
  const response = await awsRequest(endpoint, { service, region, path });
  if (response.status !== 200) throw new Error(`${service} GET ${path} answered ${response.status}: ${response.text.slice(0, 200)}`);
  return [response.text];
};

const matches = (pattern: RegExp) => (texts: string[]) => texts.flatMap((t) => [...t.matchAll(pattern)].map((m) => m[1]!));

/** Each kind: how to list it, and how to pick the ids out of the answer. Default resources (default VPC...) are excluded. */
const KINDS: { kind: string; regions: 'regional' | 'global' | 'both'; list: Lister; ids: (texts: string[]) => string[] }[] = [
  { kind: 'VPCs', regions: 'regional', list: query('ec2', 'DescribeVpcs', '2016-11-15', '&Filter.1.Name=is-default&Filter.1.Value.1=false'), ids: matches(/<vpcId>(vpc-[^<]+)<\/vpcId>/g) },
  // A deleted endpoint stays listed in state "deleted" for a while, on AWS as in moto: it is gone.
  { kind: 'VPC endpoints', regions: 'regional', list: query('ec2', 'DescribeVpcEndpoints', '2016-11-15'), ids: (t) => t.flatMap((x) => [...x.matchAll(/<vpcEndpointId>(vpce-[^<]+)<\/vpcEndpointId>([\s\S]*?)(?=<vpcEndpointId>|$)/g)].filter((m) => !/<state>deleted<\/state>/i.test(m[2]!)).map((m) => m[1]!)) },
  { kind: 'internet gateways', regions: 'regional', list: query('ec2', 'DescribeInternetGateways', '2016-11-15'), ids: matches(/<internetGatewayId>([^<]+)<\/internetGatewayId>/g) },
  { kind: 'load balancers', regions: 'regional', list: query('elasticloadbalancing', 'DescribeLoadBalancers', '2015-12-01'), ids: matches(/<LoadBalancerArn>([^<]+)<\/LoadBalancerArn>/g) },
  { kind: 'target groups', regions: 'regional', list: query('elasticloadbalancing', 'DescribeTargetGroups', '2015-12-01'), ids: matches(/<TargetGroupArn>([^<]+)<\/TargetGroupArn>/g) },
  { kind: 'REST APIs', regions: 'regional', list: rest('apigateway', '/restapis'), ids: (t) => t.flatMap((x) => ((JSON.parse(x).item ?? []) as { id: string }[]).map((i) => i.id)) },
  {
    kind: 'API custom domain names',
    regions: 'regional',
    list: rest('apigateway', '/domainnames'),
    ids: (t) => t.flatMap((x) => ((JSON.parse(x).item ?? []) as { domainName: string; domainNameId?: string }[]).map((d) => (d.domainNameId ? `${d.domainName}+${d.domainNameId}` : d.domainName))),
  },
  {
    kind: 'API domain name access associations',
    regions: 'regional',
    list: rest('apigateway', '/domainnameaccessassociations?resourceOwner=SELF'),
    ids: (t) => t.flatMap((x) => ((JSON.parse(x).item ?? []) as { domainNameAccessAssociationArn: string }[]).map((a) => a.domainNameAccessAssociationArn)),
  },
  { kind: 'user pools', regions: 'regional', list: json('AWSCognitoIdentityProviderService.ListUserPools', 'cognito-idp', { MaxResults: 60 }), ids: (t) => t.flatMap((x) => ((JSON.parse(x).UserPools ?? []) as { Id: string }[]).map((p) => p.Id)) },
  { kind: 'log groups', regions: 'both', list: json('Logs_20140328.DescribeLogGroups', 'logs'), ids: (t) => t.flatMap((x) => ((JSON.parse(x).logGroups ?? []) as { logGroupName: string }[]).map((g) => g.logGroupName)) },
  { kind: 'certificates', regions: 'both', list: json('CertificateManager.ListCertificates', 'acm'), ids: (t) => t.flatMap((x) => ((JSON.parse(x).CertificateSummaryList ?? []) as { CertificateArn: string }[]).map((c) => c.CertificateArn)) },
  { kind: 'web ACLs', regions: 'global', list: json('AWSWAF_20190729.ListWebACLs', 'wafv2', { Scope: 'CLOUDFRONT' }), ids: (t) => t.flatMap((x) => ((JSON.parse(x).WebACLs ?? []) as { ARN: string }[]).map((a) => a.ARN)) },
  { kind: 'distributions', regions: 'global', list: rest('cloudfront', '/2020-05-31/distribution'), ids: matches(/<DistributionSummary>[\s\S]*?<Id>([^<]+)<\/Id>/g) },
  { kind: 'VPC origins', regions: 'global', list: rest('cloudfront', '/2020-05-31/vpc-origin'), ids: matches(/<VpcOriginSummary>[\s\S]*?<Id>([^<]+)<\/Id>/g) },
  { kind: 'hosted zones', regions: 'global', list: rest('route53', '/2013-04-01/hostedzone'), ids: matches(/<HostedZone>\s*<Id>([^<]+)<\/Id>/g) },
  { kind: 'buckets', regions: 'global', list: rest('s3', '/'), ids: matches(/<Bucket>\s*<Name>([^<]+)<\/Name>/g) },
  { kind: 'IAM roles', regions: 'global', list: query('iam', 'ListRoles', '2010-05-08'), ids: matches(/<RoleName>([^<]+)<\/RoleName>/g) },
];

/** `kind -> ids` of what exists, for the environment's region (and us-east-1 for CloudFront's side). */
export async function emulatorInventory(endpoint: string, region: string): Promise<Record<string, string[]>> {
  const inventory: Record<string, string[]> = {};
  for (const { kind, regions, list, ids } of KINDS) {
    const inRegions = regions === 'global' ? ['us-east-1'] : regions === 'regional' ? [region] : [...new Set([region, 'us-east-1'])];
    const found: string[] = [];
    for (const r of inRegions) found.push(...ids(await list(endpoint, r)));
    inventory[kind] = [...new Set(found)];
  }
  return inventory;
}

/** What `after` holds that `before` did not. */
export function addedSince(before: Record<string, string[]>, after: Record<string, string[]>): Record<string, string[]> {
  const added: Record<string, string[]> = {};
  for (const [kind, ids] of Object.entries(after)) {
    const extra = ids.filter((id) => !(before[kind] ?? []).includes(id));
    if (extra.length > 0) added[kind] = extra;
  }
  return added;
}

/**
 * What the emulator holds after Terraform applied it, read with the AWS SDK the way any AWS client reads it: the
 * local edge decides every request from these answers, never from the synthesized JSON, so a deploy mistake shows as
 * a wrong answer. Each read is made when the walk needs it (a request WAF blocks reads no load balancer).
 */
import { APIGatewayClient, GetBasePathMappingsCommand, GetDomainNameAccessAssociationsCommand, GetDomainNamesCommand, GetExportCommand, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { CloudFrontClient, GetDistributionConfigCommand, GetResponseHeadersPolicyCommand, GetVpcOriginCommand } from '@aws-sdk/client-cloudfront';
import { DescribeNetworkInterfacesCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetWebACLCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { httpCall } from './http';

// The SDK is pinned; its warning is about versions published after January 2027, which need Node 22 (engines: >=20.9).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Json = Record<string, any>;

export interface EmulatorTarget {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** The environment's region (CloudFront and WAF are read in us-east-1). */
  readonly region: string;
}

/** The SDK clients of one emulator. The emulator takes any credentials; these say so. */
export class Deployed {
  private readonly config: (region: string) => Json;
  private readonly cloudfront: CloudFrontClient;
  private readonly wafv2: WAFV2Client;
  private readonly elb: ElasticLoadBalancingV2Client;
  private readonly ec2: EC2Client;
  private readonly apigateway: APIGatewayClient;

  constructor(readonly target: EmulatorTarget) {
    this.config = (region) => ({ region, endpoint: target.endpoint, credentials: { accessKeyId: 'local-edge', secretAccessKey: 'local-edge' }, maxAttempts: 1 });
    this.cloudfront = new CloudFrontClient(this.config('us-east-1'));
    this.wafv2 = new WAFV2Client(this.config('us-east-1'));
    this.elb = new ElasticLoadBalancingV2Client(this.config(target.region));
    this.ec2 = new EC2Client(this.config(target.region));
    this.apigateway = new APIGatewayClient(this.config(target.region));
  }

  async distribution(id: string): Promise<Json> {
    return (await this.cloudfront.send(new GetDistributionConfigCommand({ Id: id }))).DistributionConfig ?? {};
  }

  /** The web ACL of a distribution's `WebACLId` (a WAFv2 ARN: `.../global/webacl/<name>/<id>`). */
  async webAcl(arn: string): Promise<Json | undefined> {
    const match = /:global\/webacl\/([^/]+)\/([^/]+)$/.exec(arn);
    if (!match) return undefined;
    return (await this.wafv2.send(new GetWebACLCommand({ Name: match[1], Id: match[2], Scope: 'CLOUDFRONT' }))).WebACL;
  }

  async responseHeadersPolicy(id: string): Promise<Json | undefined> {
    return (await this.cloudfront.send(new GetResponseHeadersPolicyCommand({ Id: id }))).ResponseHeadersPolicy?.ResponseHeadersPolicyConfig;
  }

  async vpcOrigin(id: string): Promise<Json | undefined> {
    return (await this.cloudfront.send(new GetVpcOriginCommand({ Id: id }))).VpcOrigin;
  }

  async loadBalancer(arn: string): Promise<Json | undefined> {
    try {
      return (await this.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }))).LoadBalancers?.[0];
    } catch (error) {
      if ((error as Json).name === 'LoadBalancerNotFoundException') return undefined;
      throw error;
    }
  }

  async listeners(loadBalancerArn: string): Promise<Json[]> {
    return (await this.elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }))).Listeners ?? [];
  }

  async rules(listenerArn: string): Promise<Json[]> {
    return (await this.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? [];
  }

  /** The registered targets (ip:port) of a target group. */
  async targets(targetGroupArn: string): Promise<{ id: string; port?: number }[]> {
    const health = (await this.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions ?? [];
    return health.map((h) => ({ id: String(h.Target?.Id), ...(h.Target?.Port !== undefined ? { port: h.Target.Port } : {}) }));
  }

  /** Every execute-api interface endpoint of the region with its network interfaces' private addresses. */
  async executeApiEndpoints(): Promise<{ id: string; addresses: string[] }[]> {
    const endpoints = (await this.ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints ?? [];
    const result: { id: string; addresses: string[] }[] = [];
    for (const endpoint of endpoints.filter((e) => e.ServiceName?.endsWith('.execute-api') && e.VpcEndpointType === 'Interface')) {
      const ids = endpoint.NetworkInterfaceIds ?? [];
      const interfaces = ids.length > 0 ? ((await this.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }))).NetworkInterfaces ?? []) : [];
      result.push({ id: String(endpoint.VpcEndpointId), addresses: interfaces.map((i) => String(i.PrivateIpAddress)) });
    }
    return result;
  }

  /** The PRIVATE custom domain names (owned by this account). */
  async privateDomainNames(): Promise<Json[]> {
    const items = (await this.apigateway.send(new GetDomainNamesCommand({ resourceOwner: 'SELF', limit: 500 }))).items ?? [];
    return items.filter((d) => d.endpointConfiguration?.types?.includes('PRIVATE'));
  }

  async domainNameAccessAssociations(): Promise<Json[]> {
    return (await this.apigateway.send(new GetDomainNameAccessAssociationsCommand({ resourceOwner: 'SELF', limit: 500 }))).items ?? [];
  }

  async basePathMappings(domainName: string, domainNameId: string | undefined): Promise<Json[]> {
    return (await this.apigateway.send(new GetBasePathMappingsCommand({ domainName, ...(domainNameId ? { domainNameId } : {}), limit: 500 }))).items ?? [];
  }

  async stage(restApiId: string, stageName: string): Promise<Json | undefined> {
    try {
      return await this.apigateway.send(new GetStageCommand({ restApiId, stageName }));
    } catch (error) {
      if ((error as Json).name === 'NotFoundException') return undefined;
      throw error;
    }
  }

  /** What the stage serves: its deployment, exported as OpenAPI 3 with every API Gateway extension (GetExport). */
  async deployedDefinition(restApiId: string, stageName: string): Promise<Json> {
    const exported = await this.apigateway.send(new GetExportCommand({ restApiId, stageName, exportType: 'oas30', parameters: { extensions: 'apigateway' }, accepts: 'application/json' }));
    return JSON.parse(Buffer.from(exported.body ?? new Uint8Array()).toString('utf8'));
  }

  /** A user pool's JSON Web Key Set, from `https://cognito-idp.<region>.amazonaws.com/<pool id>/.well-known/jwks.json`. */
  async jwks(poolId: string): Promise<Json | undefined> {
    const region = poolId.split('_')[0]!;
    const answer = await httpCall(`${this.target.endpoint}/${poolId}/.well-known/jwks.json`, { host: `cognito-idp.${region}.amazonaws.com` });
    return answer.status === 200 ? JSON.parse(answer.body) : undefined;
  }
}

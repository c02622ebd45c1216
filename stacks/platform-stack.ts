/**
 * One environment of the platform: network, identity, the private APIs and the
 * edge (CloudFront VPC origin, internal ALB, WAF) that is their only door.
 */
import { TerraformOutput } from 'cdktf';
import { IsolatedStack } from './isolated-stack';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { addS3Backend } from './backend';
import { apiGatewayCloudwatchRoleName, platformNamePrefix } from './names';
import { createProviders, type Providers } from './providers';
import { addIdentityOutputs, Identity } from '@private-api-platform/constructs/identity';
import { LogEncryptionKey } from '@private-api-platform/constructs/log-encryption';
import { Network } from '@private-api-platform/constructs/network';
import { PrivateApi, RequiredApiGatewayAccountLogging } from '@private-api-platform/constructs/private-api';
import { nameRules } from '../environments/name-rules';
import { cognitoDomainPrefix } from '../environments/schema';
import { addEdgeOutputs, Edge } from '@private-api-platform/constructs/edge';

/** The state key's stack part: `<environment>/platform.tfstate`. */
export const PLATFORM_STACK_KIND = 'platform';

export interface PlatformStackProps {
  readonly environment: Environment;
}

export class PlatformStack extends IsolatedStack {
  readonly environment: Environment;
  readonly providers: Providers;
  /** Cognito user pool, resource server and app clients: the APIs take it as their authorization. */
  readonly identity: Identity;
  /** VPC, private subnets and the execute-api endpoint every private API is bound to. */
  readonly network: Network;
  /** One private REST API per `apis` entry, by API name. */
  readonly privateApis: Record<string, PrivateApi>;
  /** CloudFront (WAF, VPC origin) -> internal ALB -> the endpoint: the APIs' only door. */
  readonly edge: Edge;
  /** The log groups' KMS keys, when the environment asks for them (`logKmsEncryption`). */
  readonly logEncryption: { readonly regional?: LogEncryptionKey; readonly usEast1?: LogEncryptionKey };

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const env = props.environment;
    const namePrefix = platformNamePrefix(env);
    const rules = nameRules(env.name);
    this.environment = env;
    this.providers = createProviders(this, env);
    addS3Backend(this, env, PLATFORM_STACK_KIND);

    // Before the APIs: their methods require this pool's tokens and resource-server scopes.
    const domainPrefix = cognitoDomainPrefix(env);
    this.identity = new Identity(this, 'identity', {
      config: domainPrefix ? { ...env.identity, domain: { mode: 'prefix', prefix: domainPrefix } } : env.identity,
      namePrefix,
      region: env.account.region,
      deletionProtection: env.protections.deletionProtection,
      // The schema already refuses prod without it; the module refuses too, should the two ever drift apart.
      requireDeletionProtection: rules.requiresDeletionProtection,
      // prod's email goes through SES (Cognito's default sender: 50 a day); the schema refuses prod without it too.
      requireSesEmail: rules.requiresSesEmail,
      preventDestroy: env.protections.preventDestroy,
    });
    addIdentityOutputs(this, this.identity);

    // Customer managed keys for the log groups, where the environment asks: CloudWatch Logs uses a key of its own region only.
    let logKeys: { regional?: LogEncryptionKey; usEast1?: LogEncryptionKey } = {};
    if (env.logKmsEncryption) {
      const keyProps = { namePrefix, accountId: env.account.id, preventDestroy: env.protections.preventDestroy };
      const regional = new LogEncryptionKey(this, 'log-encryption', { ...keyProps, region: env.account.region });
      const usEast1 =
        env.account.region === 'us-east-1'
          ? regional
          : // Aliases are regional: the same alias names the us-east-1 key there.
            new LogEncryptionKey(this, 'log-encryption-us-east-1', { ...keyProps, region: 'us-east-1', provider: this.providers.usEast1 });
      logKeys = { regional, usEast1 };
    }
    this.logEncryption = logKeys;

    this.network = new Network(this, 'network', {
      config: env.network,
      namePrefix,
      flowLogRetentionDays: env.logRetentionDays,
      logKmsKeyArn: logKeys.regional?.keyArn,
      preventDestroy: env.protections.preventDestroy,
    });
    // Account-wide (per region): the bootstrap stack sets it; this stack checks that it is there, and the stages wait.
    const accountLogging = new RequiredApiGatewayAccountLogging(this, 'api-gateway-account-logging', {
      roleName: apiGatewayCloudwatchRoleName(env),
      howToCreate: `npm run bootstrap -- ${env.name}`,
    });
    this.privateApis = {};
    for (const api of env.apis) {
      this.privateApis[api.name] = new PrivateApi(this, `api-${api.name}`, {
        api,
        namePrefix,
        executeApiEndpoint: this.network.executeApiEndpoint,
        authorization: this.identity,
        logRetentionDays: env.logRetentionDays,
        allowWildcardCors: rules.emulator,
        logKmsKeyArn: logKeys.regional?.keyArn,
        preventDestroy: env.protections.preventDestroy,
        accountLogging,
      });
    }
    addNetworkAndApiOutputs(this, this.network, Object.values(this.privateApis));

    // Last: it fronts the network's endpoint and maps every API's base path on the private custom domain.
    this.edge = new Edge(this, 'edge', {
      namePrefix,
      accountId: env.account.id,
      region: env.account.region,
      network: this.network,
      apis: Object.values(this.privateApis),
      usEast1Provider: this.providers.usEast1,
      domainName: env.edge.domainName,
      originDomainName: env.edge.originDomainName,
      hostedZone: env.edge.hostedZone,
      viewerCertificate: env.edge.viewerCertificate,
      originCertificate: env.edge.originCertificate,
      priceClass: env.edge.priceClass,
      // The emulator has no edge locations to propagate to: waiting would only sit out the provider's fixed 30 s poll.
      waitForDeployment: !env.emulator,
      wafRateLimit: env.edge.wafRateLimit,
      wafRuleOverrides: env.edge.wafRuleOverrides?.map(({ ruleGroup, rule }) => ({ ruleGroup, rule })),
      originVerifyHeader: env.edge.originVerifyHeader,
      logRetentionDays: env.logRetentionDays,
      usEast1LogKmsKeyArn: logKeys.usEast1?.keyArn,
      deletionProtection: env.protections.deletionProtection,
      preventDestroy: env.protections.preventDestroy,
    });
    addEdgeOutputs(this, this.edge);
  }
}

/** Outputs named for what they expose: the VPC, the endpoint, and each API's id and base path. */
export function addNetworkAndApiOutputs(scope: Construct, network: Network, apis: readonly PrivateApi[]): void {
  new TerraformOutput(scope, 'network_vpc_id', { value: network.vpcId, description: 'VPC that hosts the execute-api endpoint' });
  new TerraformOutput(scope, 'network_private_subnet_ids', { value: network.privateSubnetIds, description: 'Private subnets of the endpoint (one per AZ)' });
  new TerraformOutput(scope, 'network_execute_api_endpoint_id', {
    value: network.executeApiEndpoint.id,
    description: 'execute-api interface VPC endpoint: the only way into the private APIs',
  });
  for (const api of apis) {
    new TerraformOutput(scope, `api_${api.name}_rest_api_id`, { value: api.restApi.id, description: `REST API id of "${api.name}"` });
    new TerraformOutput(scope, `api_${api.name}_base_path`, {
      value: api.basePath,
      description: `Path prefix of "${api.name}" on CloudFront and on the private custom domain (the origin host): /${api.name}`,
    });
  }
}

/**
 * A PRIVATE API Gateway REST API: reachable only through one execute-api
 * interface endpoint (endpoint binding + resource policy), defined by one
 * OpenAPI document (every route, its Cognito authorizer and scopes, the CORS
 * preflight, API Gateway's error answers), deployed to a stage with JSON
 * access logs, throttling and metrics. `custom-domain.ts` puts the APIs behind
 * one private custom domain name, one base path each.
 */
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayRestApiPolicy } from '@cdktf/provider-aws/lib/api-gateway-rest-api-policy';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { CLOUDWATCH_RETENTION_DAYS } from '../aws-limits';
import type { AccountLoggingDependency } from './account-logging';
import { MAX_DOCUMENT_BYTES, openApiDocument, type OpenApiDocument } from './openapi';
import { PrivateApiConfigError, planApi, privateApiPolicy, type ApiConfig, type ApiPlan, type CorsPlan, type MethodPlan } from './plan';

export * from './account-logging';
export * from './custom-domain';
export * from './openapi';
export * from './plan';

/** What the API needs from the identity module; packages/constructs/src/identity's class implements it structurally. */
export interface CognitoAuthorization {
  /** ARN of the user pool whose access tokens the authorizer accepts. */
  readonly userPoolArn: string;
  /** The full scope `<resource server identifier>/<name>` for a scope name of the resource server. */
  scope(name: string): string;
}

export interface PrivateApiProps {
  /** Name, routes, CORS origins, throttling and tracing of the API (validated again here). */
  readonly api: ApiConfig;
  /** Prefix of the REST API's and its log groups' names: `<namePrefix>-<api.name>`. */
  readonly namePrefix: string;
  /** The execute-api interface endpoint: the API is bound to it, and its resource policy denies every other way in. */
  readonly executeApiEndpoint: { readonly id: string };
  /** The Cognito user pool and resource server whose scopes guard every route. */
  readonly authorization: CognitoAuthorization;
  /** Retention of the access and execution log groups; one of the periods CloudWatch accepts. */
  readonly logRetentionDays: number;
  /**
   * Accept `*` in `api.corsAllowOrigins`. Only for the local emulator environment.
   * @default false - a `*` origin is refused with an error
   */
  readonly allowWildcardCors?: boolean;
  /**
   * KMS key that encrypts the access and execution log groups (one CloudWatch Logs of the region may use: packages/constructs/src/log-encryption).
   * @default - CloudWatch Logs' own encryption
   */
  readonly logKmsKeyArn?: string;
  /**
   * `lifecycle.prevent_destroy` on the log groups (the API's state worth keeping).
   * @default false - the log groups are destroyed with the stack
   */
  readonly preventDestroy?: boolean;
  /**
   * Stage name: the base path mapping of the private custom domain points at this stage.
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * The account's API Gateway CloudWatch role setting (`ApiGatewayAccountLogging`, once per account and region), or the
   * check that it exists (`RequiredApiGatewayAccountLogging`); the stage and its method settings wait for it.
   * @default - no dependency: the account must already have an API Gateway CloudWatch role, or the stage fails to create
   */
  readonly accountLogging?: AccountLoggingDependency;
}

export const DEFAULT_STAGE_NAME = 'v1';

/** The access log line: one JSON object per request. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  scope: '$context.authorizer.claims.scope',
  sub: '$context.authorizer.claims.sub',
  clientId: '$context.authorizer.claims.client_id',
  vpceId: '$context.identity.vpceId',
  errorMessage: '$context.error.message',
  integrationStatus: '$context.integration.status',
});

export class PrivateApi extends Construct {
  /** `api.name`; the API is mounted at `/<name>` on the private custom domain and on CloudFront. */
  readonly name: string;
  readonly restApi: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
  /** `/<name>`: the base path the private custom domain maps to this API's stage (it is stripped before the API sees the path). */
  readonly basePath: string;
  readonly accessLogGroup: CloudwatchLogGroup;
  /** `<namePrefix>-<name>`: the REST API's name. */
  readonly fullName: string;
  /** The validated routes this API serves (what the document defines). */
  readonly plan: ApiPlan;
  /** The OpenAPI document the REST API is defined by (`body`), with tokens for the ids known after apply. */
  readonly document: OpenApiDocument;
  /** Who may read the answers cross-origin; undefined when no browser origin is allowed. CloudFront applies it (packages/constructs/src/edge). */
  readonly cors?: CorsPlan;

  constructor(scope: Construct, id: string, props: PrivateApiProps) {
    super(scope, id);
    const { api, namePrefix, authorization } = props;
    const stageName = props.stageName ?? DEFAULT_STAGE_NAME;
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) {
      throw new PrivateApiConfigError(api.name, `stageName "${stageName}" is not valid: use 1 to 128 letters, digits, _ or -`);
    }
    if (!(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)) {
      throw new PrivateApiConfigError(
        api.name,
        `logRetentionDays ${props.logRetentionDays} is not a retention CloudWatch accepts: one of ${CLOUDWATCH_RETENTION_DAYS.join(', ')}`,
      );
    }
    this.plan = planApi(api, { scope: (s) => authorization.scope(s), allowWildcardCors: props.allowWildcardCors ?? false });
    this.name = api.name;
    this.basePath = this.plan.basePath;
    this.cors = this.plan.cors;
    const fullName = `${namePrefix}-${api.name}`;
    this.fullName = fullName;
    const lifecycle = props.preventDestroy ? { preventDestroy: true } : undefined;
    const description = `Private API "${api.name}": reachable only through its execute-api VPC endpoint`;

    this.document = openApiDocument(this.plan, {
      title: fullName,
      description,
      userPoolArn: authorization.userPoolArn,
      vpcEndpointId: props.executeApiEndpoint.id,
    });
    const body = JSON.stringify(this.document);
    if (Buffer.byteLength(body) > MAX_DOCUMENT_BYTES) {
      throw new PrivateApiConfigError(api.name, `its OpenAPI document has ${Buffer.byteLength(body)} bytes, more than the ${MAX_DOCUMENT_BYTES} API Gateway imports: split the API`);
    }
    this.restApi = new ApiGatewayRestApi(this, 'rest-api', {
      name: fullName,
      description,
      // The endpoint binding is stated here too: the provider sets it again after every import (an overwrite resets it).
      endpointConfiguration: { types: ['PRIVATE'], vpcEndpointIds: [props.executeApiEndpoint.id] },
      body,
      // Overwrite: what the document does not define is deleted, so a removed route is gone (merge would keep it).
      putRestApiMode: 'overwrite',
    });
    // Separate from the document on purpose: it names the API's own execution ARN (the shorthand `execute-api:/*` is
    // stored expanded and would show as a change on every plan). An overwrite import resets the policy; the AWS
    // provider 5.x puts the stored policy back in the same update, before the deployment below snapshots the API.
    const policy = new ApiGatewayRestApiPolicy(this, 'policy', {
      restApiId: this.restApi.id,
      policy: JSON.stringify(privateApiPolicy({ executionArn: this.restApi.executionArn, vpcEndpointId: props.executeApiEndpoint.id })),
    });

    for (const method of this.plan.methods) this.permitLambda(method);

    // A deployment is a snapshot of the API: a new one whenever the document or the policy changes, created before the
    // old one is removed so the stage always has one (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-deployments.html).
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.restApi.id,
      description: `${fullName}: the OpenAPI document and resource policy whose hashes are in its triggers`,
      triggers: {
        document: Fn.sha256(this.restApi.body),
        policy: Fn.sha256(policy.policy),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [policy],
    });

    this.accessLogGroup = new CloudwatchLogGroup(this, 'access-logs', {
      name: `/aws/apigateway/${fullName}/access`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
      lifecycle,
    });
    // API Gateway creates this group itself, without retention, unless it exists first.
    const executionLogGroup = new CloudwatchLogGroup(this, 'execution-logs', {
      name: `API-Gateway-Execution-Logs_${this.restApi.id}/${stageName}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
      lifecycle,
    });

    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId: this.restApi.id,
      deploymentId: deployment.id,
      stageName,
      description: `${fullName}: the stage the private custom domain maps /${api.name} to`,
      xrayTracingEnabled: api.xrayTracing ?? false,
      accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
      dependsOn: [executionLogGroup, ...(props.accountLogging ? [props.accountLogging.dependable] : [])],
    });
    new ApiGatewayMethodSettings(this, 'method-settings', {
      restApiId: this.restApi.id,
      stageName: this.stage.stageName,
      methodPath: '*/*',
      settings: {
        metricsEnabled: true,
        loggingLevel: 'INFO',
        // Data trace logs whole requests, tokens included: never on.
        dataTraceEnabled: false,
        throttlingRateLimit: api.throttling.rateLimit,
        throttlingBurstLimit: api.throttling.burstLimit,
      },
      dependsOn: props.accountLogging ? [props.accountLogging.dependable] : undefined,
    });
  }

  /** Lambda proxy routes: API Gateway may invoke the function, from this API, method and path only (on any stage). */
  private permitLambda(plan: MethodPlan): void {
    const functionArn = plan.integration.lambdaFunctionArn;
    if (!functionArn) return;
    const key = `${plan.httpMethod} ${plan.resourcePath}`;
    // Path parameters match any value.
    const sourcePath = plan.resourcePath.replace(/\{[^}]+\}/g, '*');
    const sourceMethod = plan.httpMethod === 'ANY' ? '*' : plan.httpMethod;
    new LambdaPermission(this, `lambda-permission ${key}`, {
      statementId: `apigateway-${this.fullName}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`,
      action: 'lambda:InvokeFunction',
      functionName: functionArn,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${this.restApi.executionArn}/*/${sourceMethod}${sourcePath}`,
    });
  }
}

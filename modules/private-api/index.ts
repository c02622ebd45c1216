/**
 * A PRIVATE API Gateway REST API: reachable only through one execute-api
 * interface endpoint (endpoint binding + resource policy), every route guarded
 * by a Cognito user pool authorizer and the route's OAuth scopes, deployed to a
 * stage with JSON access logs, throttling and metrics.
 */
import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayIntegrationResponse } from '@cdktf/provider-aws/lib/api-gateway-integration-response';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodResponse } from '@cdktf/provider-aws/lib/api-gateway-method-response';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayRestApiPolicy } from '@cdktf/provider-aws/lib/api-gateway-rest-api-policy';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Fn, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { CLOUDWATCH_RETENTION_DAYS, type ApiConfig } from '../../environments/schema';
import type { ApiGatewayAccountLogging } from './account-logging';
import { COGNITO_AUTHORIZER, POLICY_PLACEHOLDER_IDS, PrivateApiConfigError, deploymentFingerprint, planApi, privateApiPolicy, type MethodPlan } from './plan';

export * from './account-logging';
export * from './plan';

/** What the API needs from the identity module; modules/identity's class implements it structurally. */
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
  readonly executeApiEndpoint: VpcEndpoint;
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
   * `lifecycle.prevent_destroy` on the log groups (the API's state worth keeping).
   * @default false - the log groups are destroyed with the stack
   */
  readonly preventDestroy?: boolean;
  /**
   * Stage name; CloudFront's origin path is `/<stageName>`.
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * The account-wide CloudWatch role setting (create one per stack); the stage waits for it.
   * @default - no dependency: the account must already have an API Gateway CloudWatch role, or the stage fails to create
   */
  readonly accountLogging?: ApiGatewayAccountLogging;
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
  /** `api.name`; the API is mounted at CloudFront path `/<name>/*`. */
  readonly name: string;
  readonly restApi: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
  /** `/<name>`: the API's resources live under this prefix so CloudFront path `/<name>/...` maps 1:1 (the origin path adds `/<stage>`). */
  readonly basePath: string;
  /** `/<stage>/<name>`: the path prefix a request through the endpoint uses. */
  readonly invokePath: string;
  readonly authorizer: ApiGatewayAuthorizer;
  readonly accessLogGroup: CloudwatchLogGroup;
  /** `<namePrefix>-<name>`: the REST API's name. */
  readonly fullName: string;
  /** The hash of routes, integrations and policy that the deployment's `triggers` carry. */
  readonly deploymentFingerprint: string;

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
    const allowWildcardCors = props.allowWildcardCors ?? false;
    const plan = planApi(api, { scope: (s) => authorization.scope(s), allowWildcardCors });
    this.name = api.name;
    this.basePath = plan.basePath;
    this.invokePath = `/${stageName}${plan.basePath}`;
    const fullName = `${namePrefix}-${api.name}`;
    this.fullName = fullName;
    const lifecycle = props.preventDestroy ? { preventDestroy: true } : undefined;

    this.restApi = new ApiGatewayRestApi(this, 'rest-api', {
      name: fullName,
      description: `Private API "${api.name}": reachable only through its execute-api VPC endpoint`,
      endpointConfiguration: { types: ['PRIVATE'], vpcEndpointIds: [props.executeApiEndpoint.id] },
    });
    const policy = new ApiGatewayRestApiPolicy(this, 'policy', {
      restApiId: this.restApi.id,
      policy: JSON.stringify(privateApiPolicy({ executionArn: this.restApi.executionArn, vpcEndpointId: props.executeApiEndpoint.id })),
    });

    this.authorizer = new ApiGatewayAuthorizer(this, 'authorizer', {
      name: `${fullName}-cognito`,
      restApiId: this.restApi.id,
      ...COGNITO_AUTHORIZER,
      providerArns: [authorization.userPoolArn],
    });

    // Resources: parents first, each created once however many routes share it.
    const resources = new Map<string, ApiGatewayResource>();
    const resourceId = (path: string): string => (path === '/' ? this.restApi.rootResourceId : resources.get(path)!.id);
    for (const path of plan.resourcePaths) {
      const parent = path.slice(0, path.lastIndexOf('/')) || '/';
      resources.set(
        path,
        new ApiGatewayResource(this, `resource ${path}`, {
          restApiId: this.restApi.id,
          parentId: resourceId(parent),
          pathPart: path.slice(path.lastIndexOf('/') + 1),
        }),
      );
    }

    const deployed: ITerraformDependable[] = [policy, this.authorizer];
    for (const method of plan.methods) {
      deployed.push(...this.addMethod(method, resourceId(method.resourcePath)));
    }

    // Tokens (ids known after apply) cannot be hashed here: hash placeholders, and list the tokens beside the hash.
    const tokenScopes: string[] = [];
    const fingerprintPlan = planApi(api, {
      allowWildcardCors,
      scope: (s) => {
        const full = authorization.scope(s);
        if (!Token.isUnresolved(full)) return full;
        tokenScopes.push(full);
        return `<scope ${s}>`;
      },
    });
    this.deploymentFingerprint = deploymentFingerprint(fingerprintPlan, privateApiPolicy(POLICY_PLACEHOLDER_IDS), COGNITO_AUTHORIZER);
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.restApi.id,
      description: `${fullName} configuration ${this.deploymentFingerprint.slice(0, 12)}`,
      triggers: {
        configuration: this.deploymentFingerprint,
        // The endpoint id is in the policy, the pool ARN in the authorizer: a new one must redeploy the stage.
        references: Fn.sha256(Fn.jsonencode([props.executeApiEndpoint.id, authorization.userPoolArn, ...new Set(tokenScopes)])),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: deployed,
    });

    this.accessLogGroup = new CloudwatchLogGroup(this, 'access-logs', {
      name: `/aws/apigateway/${fullName}/access`,
      retentionInDays: props.logRetentionDays,
      lifecycle,
    });
    // API Gateway creates this group itself, without retention, unless it exists first.
    const executionLogGroup = new CloudwatchLogGroup(this, 'execution-logs', {
      name: `API-Gateway-Execution-Logs_${this.restApi.id}/${stageName}`,
      retentionInDays: props.logRetentionDays,
      lifecycle,
    });

    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId: this.restApi.id,
      deploymentId: deployment.id,
      stageName,
      description: `${fullName}: the stage CloudFront reaches through the VPC endpoint`,
      xrayTracingEnabled: api.xrayTracing ?? false,
      accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
      dependsOn: [executionLogGroup, ...(props.accountLogging ? [props.accountLogging.account] : [])],
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
      dependsOn: props.accountLogging ? [props.accountLogging.account] : undefined,
    });
  }

  /** The method, its integration and (MOCK) responses, and (Lambda) the invoke permission; returns what the deployment depends on. */
  private addMethod(plan: MethodPlan, resourceId: string): ITerraformDependable[] {
    const key = `${plan.httpMethod} ${plan.resourcePath}`;
    const restApiId = this.restApi.id;
    const method = new ApiGatewayMethod(this, `method ${key}`, {
      restApiId,
      resourceId,
      httpMethod: plan.httpMethod,
      authorization: plan.authorization,
      ...(plan.authorization === 'COGNITO_USER_POOLS' ? { authorizerId: this.authorizer.id, authorizationScopes: plan.authorizationScopes } : {}),
      requestParameters: plan.requestParameters,
    });
    const { integration: spec } = plan;
    const integration = new ApiGatewayIntegration(this, `integration ${key}`, {
      restApiId,
      resourceId,
      httpMethod: method.httpMethod,
      type: spec.type,
      integrationHttpMethod: spec.integrationHttpMethod,
      uri: spec.uri,
      requestParameters: spec.requestParameters,
      requestTemplates: spec.requestTemplates,
      passthroughBehavior: spec.passthroughBehavior,
    });
    const dependables: ITerraformDependable[] = [method, integration];
    if (spec.response) {
      const headers = spec.response.headers ?? {};
      const methodResponse = new ApiGatewayMethodResponse(this, `method-response ${key}`, {
        restApiId,
        resourceId,
        httpMethod: method.httpMethod,
        statusCode: spec.response.statusCode,
        responseParameters: Object.keys(headers).length > 0 ? Object.fromEntries(Object.keys(headers).map((h) => [h, true])) : undefined,
      });
      const integrationResponse = new ApiGatewayIntegrationResponse(this, `integration-response ${key}`, {
        restApiId,
        resourceId,
        httpMethod: method.httpMethod,
        statusCode: methodResponse.statusCode,
        responseParameters: Object.keys(headers).length > 0 ? headers : undefined,
        responseTemplates: spec.response.responseTemplates,
        dependsOn: [integration],
      });
      dependables.push(methodResponse, integrationResponse);
    }
    if (spec.lambdaFunctionArn) {
      // Scoped to this API, this method and this path (path parameters match any value), on any stage.
      const sourcePath = plan.resourcePath.replace(/\{[^}]+\}/g, '*');
      const sourceMethod = plan.httpMethod === 'ANY' ? '*' : plan.httpMethod;
      new LambdaPermission(this, `lambda-permission ${key}`, {
        statementId: `apigateway-${this.fullName}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`,
        action: 'lambda:InvokeFunction',
        functionName: spec.lambdaFunctionArn,
        principal: 'apigateway.amazonaws.com',
        sourceArn: `${this.restApi.executionArn}/*/${sourceMethod}${sourcePath}`,
      });
    }
    return dependables;
  }
}

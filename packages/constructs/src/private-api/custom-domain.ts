/**
 * A private custom domain name in front of the private APIs: the host name
 * CloudFront sends (`Host: <origin domain>`) selects the domain name, and its
 * base path (`/orders/...`) selects the API and stage.
 *
 * This is AWS's documented way to call a private API through an endpoint by a
 * name of one's own ("Invoke a private API using a custom domain name":
 * `curl https://vpce-...execute-api.<region>.vpce.amazonaws.com/<basepath> -H 'Host:<custom domain>'`,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-api-test-invoke-url.html).
 * The `x-apigw-api-id` header is documented only with the endpoint's own host
 * name, so nothing here relies on it.
 *
 * What AWS requires (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-custom-domains.html):
 * - the domain name with endpoint type PRIVATE and an ACM certificate for the
 *   name (RSA 2048 or ECDSA 256/384); private domain names always use TLS 1.2;
 * - its own resource policy (a new one denies everything), besides the API's:
 *   a caller needs both;
 * - a domain name access association per VPC endpoint that may call it;
 * - a base path mapping per API (one level only: `orders`, not `orders/v2`).
 * The base path is stripped: `/orders/123` reaches resource `/123` of the API
 * mapped at `orders` ("API mappings", https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html).
 */
import { ApiGatewayBasePathMapping } from '@cdktf/provider-aws/lib/api-gateway-base-path-mapping';
import { ApiGatewayDomainName } from '@cdktf/provider-aws/lib/api-gateway-domain-name';
import { ApiGatewayDomainNameAccessAssociation } from '@cdktf/provider-aws/lib/api-gateway-domain-name-access-association';
import { Construct } from 'constructs';
import { endpointOnlyPolicy } from './plan';

/** What a base path mapping needs of an API; `PrivateApi` has these fields. */
export interface MappedApi {
  /** The base path (one segment, no slash): CloudFront's path prefix `/<name>`. */
  readonly name: string;
  readonly restApi: { readonly id: string };
  readonly stage: { readonly stageName: string };
}

export interface PrivateCustomDomainProps {
  /** The host name CloudFront sends as Host (the edge's origin domain name). */
  readonly domainName: string;
  /** ACM certificate for `domainName`, in the APIs' region (the ALB's origin certificate). */
  readonly certificateArn: string;
  /** The execute-api interface endpoint: the only endpoint associated with the domain name, and the only one its policy admits. */
  readonly executeApiEndpointId: string;
  /** The APIs, each mapped at `/<name>` to its stage; at least one. */
  readonly apis: readonly MappedApi[];
}

/** A base path AWS accepts for a private custom domain: one level of letters, digits and `._-` (no slash). */
export const BASE_PATH = /^[A-Za-z0-9._-]{1,128}$/;

export class PrivateCustomDomain extends Construct {
  readonly domainName: ApiGatewayDomainName;
  readonly accessAssociation: ApiGatewayDomainNameAccessAssociation;
  /** One mapping per API, by API name. */
  readonly basePathMappings: Record<string, ApiGatewayBasePathMapping> = {};

  constructor(scope: Construct, id: string, props: PrivateCustomDomainProps) {
    super(scope, id);
    if (props.apis.length === 0) throw new Error(`private custom domain ${props.domainName}: apis is empty; map at least one API`);
    for (const api of props.apis) {
      if (!BASE_PATH.test(api.name)) {
        throw new Error(`private custom domain ${props.domainName}: base path "${api.name}" is not valid: one level of letters, digits, ".", "_" or "-" (private custom domains map one level only)`);
      }
    }

    this.domainName = new ApiGatewayDomainName(this, 'domain-name', {
      domainName: props.domainName,
      certificateArn: props.certificateArn,
      endpointConfiguration: { types: ['PRIVATE'] },
      securityPolicy: 'TLS_1_2',
      // `execute-api:/*` is the form AWS's private custom domain tutorial uses: the domain name's own ARN holds an id
      // known only after it is created.
      policy: JSON.stringify(endpointOnlyPolicy('execute-api:/*', props.executeApiEndpointId)),
    });
    this.accessAssociation = new ApiGatewayDomainNameAccessAssociation(this, 'access-association', {
      domainNameArn: this.domainName.arn,
      accessAssociationSource: props.executeApiEndpointId,
      accessAssociationSourceType: 'VPCE',
    });
    for (const api of props.apis) {
      this.basePathMappings[api.name] = new ApiGatewayBasePathMapping(this, `base-path ${api.name}`, {
        domainName: this.domainName.domainName,
        domainNameId: this.domainName.domainNameId,
        basePath: api.name,
        apiId: api.restApi.id,
        stageName: api.stage.stageName,
      });
    }
  }
}

/**
 * A REST API's OpenAPI document (`aws_api_gateway_rest_api.body`) before and
 * after a plan, as a reviewer needs it: routes added, removed and changed, and
 * which of those changes touch a control (scopes, the authorizer, the endpoint
 * binding, the integration a token is forwarded to). Pure: no I/O.
 */
import { authorizerOf, endpointIdsOf, operationsOf, parseOpenApiBody, type OpenApiDocument, type OperationSummary } from '@private-api-platform/constructs/private-api/openapi';

export interface RouteChange {
  /** `GET /orders/{orderId}`, or a document-level item such as `authorizer cognito-user-pool`. */
  readonly subject: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** What the route (or item) was and is: `scopes a, b; MOCK ...`. */
  readonly before?: string;
  readonly after?: string;
  /** Why a security reviewer must see it; undefined when it changes no control. */
  readonly security?: string;
}

const security = (op: OperationSummary) =>
  op.security.length === 0 ? 'no authorization' : op.security.map((s) => `${s.scheme} [${s.scopes.join(', ')}]`).join(' or ');
const integration = (op: OperationSummary) => `${op.integrationType ?? 'no integration'}${op.integrationTarget ? ` ${op.integrationTarget}` : ''}`;
const describe = (op: OperationSummary) => `${security(op)}; ${integration(op)}`;

function schemes(document: OpenApiDocument): string[] {
  return Object.keys(document.components?.securitySchemes ?? document.securityDefinitions ?? {}).sort();
}

/** The route-level differences of two documents; undefined when either is not a document (a reviewer then sees the raw diff). */
export function diffApiDocuments(beforeBody: unknown, afterBody: unknown): RouteChange[] | undefined {
  const before = beforeBody === null || beforeBody === undefined ? { paths: {} } : parseOpenApiBody(beforeBody);
  const after = afterBody === null || afterBody === undefined ? { paths: {} } : parseOpenApiBody(afterBody);
  if (!before || !after) return undefined;
  const changes: RouteChange[] = [];
  const old = new Map(operationsOf(before).map((o) => [o.key, o]));
  const now = new Map(operationsOf(after).map((o) => [o.key, o]));
  for (const [key, op] of now) {
    const was = old.get(key);
    if (!was) {
      changes.push({ subject: key, kind: 'added', after: describe(op), security: 'a new route: who may call it' });
      continue;
    }
    const authChanged = security(was) !== security(op);
    const targetChanged = integration(was) !== integration(op);
    if (authChanged || targetChanged) {
      changes.push({
        subject: key,
        kind: 'changed',
        before: describe(was),
        after: describe(op),
        security: authChanged ? 'route authorization and scopes' : op.integrationType === 'MOCK' && was.integrationType === 'MOCK' ? undefined : 'where the route forwards the caller\'s token',
      });
    }
  }
  for (const [key, op] of old) if (!now.has(key)) changes.push({ subject: key, kind: 'removed', before: describe(op) });

  for (const scheme of new Set([...schemes(before), ...schemes(after)])) {
    const was = JSON.stringify(authorizerOf(before, scheme) ?? null);
    const is = JSON.stringify(authorizerOf(after, scheme) ?? null);
    if (was !== is) changes.push({ subject: `authorizer ${scheme}`, kind: was === 'null' ? 'added' : is === 'null' ? 'removed' : 'changed', before: was, after: is, security: 'the API authorizer (whose tokens are accepted)' });
  }
  const [idsBefore, idsAfter] = [endpointIdsOf(before).sort(), endpointIdsOf(after).sort()];
  if (JSON.stringify(idsBefore) !== JSON.stringify(idsAfter)) {
    changes.push({ subject: 'endpoint binding', kind: 'changed', before: JSON.stringify(idsBefore), after: JSON.stringify(idsAfter), security: 'the VPC endpoints the private API is bound to' });
  }
  const [policyBefore, policyAfter] = [JSON.stringify(before['x-amazon-apigateway-policy'] ?? null), JSON.stringify(after['x-amazon-apigateway-policy'] ?? null)];
  if (policyBefore !== policyAfter) changes.push({ subject: 'resource policy (in the document)', kind: 'changed', before: policyBefore, after: policyAfter, security: 'API resource policy' });
  const [responsesBefore, responsesAfter] = [JSON.stringify(before['x-amazon-apigateway-gateway-responses'] ?? {}), JSON.stringify(after['x-amazon-apigateway-gateway-responses'] ?? {})];
  if (responsesBefore !== responsesAfter) changes.push({ subject: 'gateway responses', kind: 'changed', before: responsesBefore, after: responsesAfter });
  return changes;
}

/**
 * Checks every resource of a stack against AWS's documented limits
 * (packages/constructs/src/aws-limits.ts) before anything is synthesized. Values that hold a
 * token (an id known only after apply) are checked where they are literal.
 */
import { Token, TerraformResource, type TerraformStack } from 'cdktf';
import { API, AWS_LIMITS, checkAwsLimit, COGNITO_DOMAIN_RESERVED_WORDS } from '@private-api-platform/constructs/aws-limits';

export interface LimitProblem {
  /** `aws_lb edge/origin/load-balancer` */
  readonly resource: string;
  readonly attribute: string;
  readonly value: string;
  readonly message: string;
}

/** The literal strings at `path` below `value` (through nested blocks and lists); tokens are left out. */
function valuesAt(value: unknown, path: readonly string[]): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuesAt(v, path));
  if (path.length === 0) return typeof value === 'string' && !Token.isUnresolved(value) ? [value] : [];
  if (value === null || typeof value !== 'object') return [];
  return valuesAt((value as Record<string, unknown>)[path[0]!], path.slice(1));
}

/** Every value of the stack's resources that AWS would refuse by the table above (and the Cognito reserved words). */
export function awsLimitProblems(stack: TerraformStack): LimitProblem[] {
  const problems: LimitProblem[] = [];
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof TerraformResource)) continue;
    const type = construct.terraformResourceType;
    const limits = AWS_LIMITS.filter((l) => l.type === type);
    const cognitoDomain = type === 'aws_cognito_user_pool_domain';
    if (limits.length === 0 && !cognitoDomain) continue;
    const attributes = (construct.toTerraform() as { resource: Record<string, Record<string, unknown>> }).resource[type];
    const config = attributes ? Object.values(attributes)[0] : undefined;
    const where = `${type} ${construct.node.path.split('/').slice(1).join('/')}`;
    for (const limit of limits) {
      for (const value of valuesAt(config, limit.attribute.split('.'))) {
        const message = checkAwsLimit(limit, value);
        if (message) problems.push({ resource: where, attribute: limit.attribute, value, message });
      }
    }
    if (cognitoDomain) {
      // A prefix domain (no certificate): AWS refuses these words in it, whatever the pattern allows.
      const record = config as Record<string, unknown> | undefined;
      const domain = valuesAt(record, ['domain'])[0];
      const reserved = COGNITO_DOMAIN_RESERVED_WORDS.find((w) => domain?.includes(w));
      if (domain && !record?.certificate_arn && reserved) {
        problems.push({ resource: where, attribute: 'domain', value: domain, message: `a prefix without the reserved word "${reserved}" (AWS refuses aws, amazon and cognito in a prefix domain: ${API.domain})` });
      }
    }
  }
  return problems;
}

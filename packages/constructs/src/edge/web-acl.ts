/**
 * AWS WAF for the distribution (scope CLOUDFRONT, so it lives in us-east-1):
 * Amazon IP reputation, a per-IP rate limit, the common rule set and known bad
 * inputs; every request sampled and measured; logs to CloudWatch Logs with the
 * Authorization header redacted.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Construct } from 'constructs';
import { MANAGED_RULE_GROUPS, MANAGED_RULES, type ManagedRuleGroup, type ManagedRuleOverride } from './waf-rules';

export * from './waf-rules';

export const RATE_LIMIT_RULE = 'rate-limit-per-ip';

export interface EdgeWebAclProps {
  readonly namePrefix: string;
  readonly provider: AwsProvider;
  /** Requests per client IP in any 5-minute window before WAF blocks that IP. */
  readonly rateLimit: number;
  readonly logRetentionDays: number;
  /** KMS key (us-east-1) of the log group. @default - CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
  readonly preventDestroy: boolean;
  /**
   * Managed rules that count instead of block, for APIs whose legitimate calls they would stop: the common rule set
   * blocks bodies over 8 KB (SizeRestrictions_BODY) and requests without a User-Agent (NoUserAgent_HEADER), which
   * uploads and some mobile or machine clients send. Each one lets that kind of request through unblocked.
   * @default - none: every managed rule blocks
   */
  readonly ruleOverrides?: readonly ManagedRuleOverride[];
}

export class EdgeWebAcl extends Construct {
  readonly webAcl: Wafv2WebAcl;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    const name = `${props.namePrefix}-edge`;
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

    const overrides = props.ruleOverrides ?? [];
    for (const override of overrides) {
      if (!MANAGED_RULES[override.ruleGroup]?.includes(override.rule)) {
        throw new Error(
          `edge: ruleOverrides has ${override.ruleGroup}/${override.rule}, which is not a rule of that group: one of ${(MANAGED_RULES[override.ruleGroup] ?? []).join(', ')}`,
        );
      }
    }
    // statement is typed `any` by the provider bindings: its keys are Terraform's (snake_case).
    const managed = (ruleGroup: ManagedRuleGroup, priority: number): Wafv2WebAclRule => {
      const counted = overrides.filter((o) => o.ruleGroup === ruleGroup).map((o) => o.rule).sort();
      return {
        name: ruleGroup,
        priority,
        // The group's own actions stand; single rules count where the environment says so (rule_action_override).
        overrideAction: { none: {} },
        statement: {
          managed_rule_group_statement: {
            name: ruleGroup,
            vendor_name: 'AWS',
            ...(counted.length > 0 ? { rule_action_override: counted.map((rule) => ({ name: rule, action_to_use: { count: {} } })) } : {}),
          },
        },
        visibilityConfig: visibility(`${name}-${ruleGroup}`),
      };
    };
    const rules: Wafv2WebAclRule[] = [
      // Known-bad addresses first: they should not even use up the rate budget.
      managed(MANAGED_RULE_GROUPS[0], 0),
      {
        name: RATE_LIMIT_RULE,
        priority: 1,
        action: { block: {} },
        statement: { rate_based_statement: { limit: props.rateLimit, aggregate_key_type: 'IP', evaluation_window_sec: 300 } },
        visibilityConfig: visibility(`${name}-${RATE_LIMIT_RULE}`),
      },
      managed(MANAGED_RULE_GROUPS[1], 2),
      managed(MANAGED_RULE_GROUPS[2], 3),
    ];

    this.webAcl = new Wafv2WebAcl(this, 'web-acl', {
      provider: props.provider,
      name,
      description: `${props.namePrefix}: CloudFront in front of the private APIs`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(name),
      tags: { Name: name },
    });

    // WAF only logs to groups whose name starts with aws-waf-logs-; CLOUDFRONT scope means us-east-1.
    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      provider: props.provider,
      name: `aws-waf-logs-${name}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
      lifecycle: { preventDestroy: props.preventDestroy },
    });
    new Wafv2WebAclLoggingConfiguration(this, 'logging', {
      provider: props.provider,
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [this.logGroup.arn],
      // Bearer tokens must never land in logs.
      redactedFields: [{ singleHeader: { name: 'authorization' } }],
    });
  }
}

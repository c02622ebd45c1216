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

/** AWS managed rule groups in evaluation order (after the rate limit). */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

export const RATE_LIMIT_RULE = 'rate-limit-per-ip';

export interface EdgeWebAclProps {
  readonly namePrefix: string;
  readonly provider: AwsProvider;
  /** Requests per client IP in any 5-minute window before WAF blocks that IP. */
  readonly rateLimit: number;
  readonly logRetentionDays: number;
  readonly preventDestroy: boolean;
}

export class EdgeWebAcl extends Construct {
  readonly webAcl: Wafv2WebAcl;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    const name = `${props.namePrefix}-edge`;
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

    // statement is typed `any` by the provider bindings: its keys are Terraform's (snake_case).
    const managed = (ruleGroup: string, priority: number): Wafv2WebAclRule => ({
      name: ruleGroup,
      priority,
      overrideAction: { none: {} },
      statement: { managed_rule_group_statement: { name: ruleGroup, vendor_name: 'AWS' } },
      visibilityConfig: visibility(`${name}-${ruleGroup}`),
    });
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

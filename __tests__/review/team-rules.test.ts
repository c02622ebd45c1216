/**
 * The team's plan rules (review/team-rules.ts): the repository's rules file, the errors of a bad one, and what a deny
 * rule, a valid exception and an expired one do to a plan's verdict and summary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../environments/config-file';
import type { PlanJson, ResourceChange } from '../../review/plan-model';
import { summarizePlan } from '../../review/plan-summary';
import { BUILT_IN_RULES, parseTeamRules, refusingFindings, type TeamRules } from '../../review/team-rules';
import { SECURITY_RULES } from '../../review/review-rules';
import { ROOT } from '../helpers/run-script';
import { ENVIRONMENT_NAMES, environment, firstPlanOf, synthPlatform } from '../helpers/synth';

const SG = 'aws_security_group.network_endpoint-sg_46ADB4E4';

function sgChange(cidr: string): ResourceChange {
  return {
    address: SG,
    mode: 'managed',
    type: 'aws_security_group',
    name: 'network_endpoint-sg_46ADB4E4',
    change: { actions: ['update'], before: { ingress: [] }, after: { ingress: [{ cidr_blocks: [cidr], from_port: 443, to_port: 443, protocol: 'tcp' }] } },
  };
}

const plan = (...changes: ResourceChange[]): PlanJson => ({ resource_changes: changes });

const RULES = (exceptions: object[] = []) =>
  JSON.stringify({
    rules: [
      {
        id: 'no-public-ingress',
        verdict: 'deny',
        message: 'opened to the internet',
        match: { types: ['aws_security_group'], attributes: ['ingress.cidr_blocks'], valueIncludes: '/0' },
      },
      { id: 'sg-changes', verdict: 'warn', message: 'a security group changes', match: { types: ['aws_security_*'], actions: ['update'] } },
    ],
    exceptions,
  });

function errorOf(text: string): string {
  try {
    parseTeamRules(text, 'review/team-rules.jsonc');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('the rules file', () => {
  test('the repository\'s own file is valid, with comments, and refuses no first plan of the platform\'s environments', () => {
    const rules = parseTeamRules(readFileSync(join(ROOT, 'review', 'team-rules.jsonc'), 'utf8'), 'review/team-rules.jsonc');
    expect(rules.rules.map((r) => r.id)).toEqual(['no-public-ingress', 'iam-in-prod']);
    expect(rules.exceptions).toEqual([]);
    for (const name of ENVIRONMENT_NAMES) {
      const stack = synthPlatform(environment(name)).json;
      const { findings } = summarizePlan(firstPlanOf(stack), { environment: name, stackJson: stack, teamRules: rules });
      expect([name, refusingFindings(findings)]).toEqual([name, []]);
      // the warn rule does see prod's IAM roles, so the rules are evaluated on these plans
      if (name === 'prod') expect(findings.some((f) => f.rule === 'iam-in-prod')).toBe(true);
    }
  });

  test('the repository\'s deny rule refuses a plan that opens a security group to the internet in dev', () => {
    const rules = parseTeamRules(readFileSync(join(ROOT, 'review', 'team-rules.jsonc'), 'utf8'), 'review/team-rules.jsonc');
    const { verdict } = summarizePlan(plan(sgChange('0.0.0.0/0')), { environment: 'dev', teamRules: rules });
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toContain('no-public-ingress on');
  });

  test.each([
    ['an unknown verdict', { rules: [{ id: 'a', verdict: 'block', message: 'm', match: { types: ['aws_vpc'] } }] }, 'rules[0].verdict: got "block"; expected one of "warn", "deny"'],
    ['a misspelt field', { rules: [{ id: 'a', verdict: 'warn', message: 'm', match: { type: ['aws_vpc'] } }] }, 'rules[0].match: got "type"; expected no unknown fields'],
    ['a bad type', { rules: [{ id: 'a', verdict: 'warn', message: 'm', match: { types: ['AWS VPC'] } }] }, 'rules[0].match.types[0]: got "AWS VPC"; expected a Terraform resource type'],
    ['an exception of no rule', { rules: [], exceptions: [{ rule: 'x', resource: 'aws_vpc.a', reason: 'because we said so', expires: '2027-01-01' }] }, 'exceptions[0].rule: got "x"; expected the id of a rule of this file: (there is none)'],
    [
      'a date that does not exist',
      { rules: [{ id: 'a', verdict: 'deny', message: 'm', match: { types: ['aws_vpc'] } }], exceptions: [{ rule: 'a', resource: 'aws_vpc.a', reason: 'because we said so', expires: '2027-02-30' }] },
      'exceptions[0].expires: got "2027-02-30"; expected a date that exists, YYYY-MM-DD',
    ],
    ['an exception without a reason', { rules: [{ id: 'a', verdict: 'deny', message: 'm', match: { types: ['aws_vpc'] } }], exceptions: [{ rule: 'a', resource: 'aws_vpc.a', reason: 'ok', expires: '2027-01-01' }] }, 'exceptions[0].reason: got "ok"; expected a reason a reviewer can check'],
    [
      'two rules with one id',
      { rules: [{ id: 'a', verdict: 'warn', message: 'm', match: { types: ['aws_vpc'] } }, { id: 'a', verdict: 'warn', message: 'm', match: { types: ['aws_vpc'] } }] },
      'rules[1].id: got "a"; expected an id no other rule has',
    ],
  ])('a file with %s is refused, naming the field, the value and what is valid', (_what, file, message) => {
    const error = errorOf(JSON.stringify(file));
    expect(error).toContain('the plan rules file review/team-rules.jsonc is not valid');
    expect(error).toContain(message);
  });

  test('a file that is not JSON is refused with the place of the error', () => {
    expect(errorOf('{ "rules": [ }')).toMatch(/invalid JSON in review\/team-rules\.jsonc: ValueExpected at line 1, column 14/);
  });
});

describe('rules on a plan', () => {
  const summary = (rules: TeamRules, today = '2026-12-06', ...changes: ResourceChange[]) => summarizePlan(plan(...(changes.length ? changes : [sgChange('0.0.0.0/0')])), { environment: 'dev', teamRules: rules, today });

  test('GIVEN a deny rule that matches WHEN summarized THEN the plan is refused, and the finding is listed with the rule and the resource', () => {
    const s = summary(parseTeamRules(RULES(), 'f'));
    expect(s.verdict.ok).toBe(false);
    expect(s.verdict.message).toContain("refused by the team's plan rules (review/team-rules.jsonc): no-public-ingress on " + SG);
    expect(s.markdown).toContain('## 🧭 Team rules');
    expect(s.markdown).toContain(`| ⛔ deny | \`no-public-ingress\` | \`${SG}\` | opened to the internet |  |`);
    expect(s.markdown).toContain(`| ⚠️ warn | \`sg-changes\` | \`${SG}\` | a security group changes |  |`);
  });

  test('GIVEN the same finding with an exception that still applies WHEN summarized THEN the plan passes, and the exception is shown', () => {
    const rules = parseTeamRules(RULES([{ rule: 'no-public-ingress', resource: SG, reason: 'load test from the office, ticket OPS-12', expires: '2026-12-06' }]), 'f');
    const s = summary(rules);
    expect(s.verdict.ok).toBe(true);
    expect(s.markdown).toContain(`| ✅ deny, excepted | \`no-public-ingress\` | \`${SG}\` | opened to the internet | until 2026-12-06: load test from the office, ticket OPS-12 |`);
  });

  test('GIVEN the exception expired (the day after its last day) WHEN summarized THEN the plan is refused again, and the summary says it expired', () => {
    const rules = parseTeamRules(RULES([{ rule: 'no-public-ingress', resource: SG, reason: 'load test from the office, ticket OPS-12', expires: '2026-12-05' }]), 'f');
    const s = summary(rules);
    expect(s.verdict.ok).toBe(false);
    expect(s.verdict.message).toContain(`no-public-ingress on ${SG} (its exception expired 2026-12-05)`);
    expect(s.markdown).toContain('expired 2026-12-05: no longer applies (load test from the office, ticket OPS-12)');
  });

  test('an exception for another resource or environment does not apply, and a rule for other environments does not match', () => {
    const other = parseTeamRules(RULES([{ rule: 'no-public-ingress', resource: SG, environment: 'prod', reason: 'only in prod, ticket OPS-12', expires: '2099-01-01' }]), 'f');
    expect(summary(other).verdict.ok).toBe(false);
    const prodOnly = parseTeamRules(JSON.stringify({ rules: [{ id: 'p', verdict: 'deny', message: 'm', match: { types: ['aws_security_group'], environments: ['prod'] } }] }), 'f');
    expect(summary(prodOnly).verdict.ok).toBe(true);
  });

  test('a value rule does not match a private range, and a deny rule does not match an action it does not name', () => {
    expect(summary(parseTeamRules(RULES(), 'f'), '2026-12-06', sgChange('10.0.0.0/16')).findings.map((f) => f.rule)).toEqual(['sg-changes']);
  });

  test('the built-in security rules are rules of the same mechanism, one per row of SECURITY_RULES, all warn', () => {
    expect(BUILT_IN_RULES).toHaveLength(SECURITY_RULES.length);
    expect(new Set(BUILT_IN_RULES.map((r) => r.verdict))).toEqual(new Set(['warn']));
    // and they decide what is security-relevant: the SG change is flagged by its row
    expect(summary(parseTeamRules(RULES(), 'f')).entries[0]!.security).toEqual(['security group rules']);
  });
});

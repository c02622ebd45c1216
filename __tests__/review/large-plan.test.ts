/**
 * The summary of a large environment's first plan: 300 routes in one API. Stand-in: the plan is built from the
 * synthesized stack (every resource a create, its configuration as the planned values), as Terraform's first plan
 * of it would list them; Terraform itself is run on real plans in __tests__/scripts/plan.emulator.test.ts.
 */
import { SUMMARY_LIMIT, summarizePlan } from '../../review/plan-summary';
import { environment, firstPlanOf, synthPlatform } from '../helpers/synth';


test('the first plan of an environment with 300 routes fits a pull-request comment, with every security finding visible', () => {
  const methods = ['GET', 'POST', 'PUT'];
  const env = environment('dev', (raw) => {
    raw.apis[0].routes = Array.from({ length: 300 }, (_, i) => ({ path: `/r${Math.floor(i / 3)}`, method: methods[i % 3], scopes: [raw.apis[0].routes[0].scopes[0]], integration: { type: 'MOCK' } }));
  });
  const stack = synthPlatform(env).json;
  const summary = summarizePlan(firstPlanOf(stack), { environment: 'dev', stackJson: stack });
  expect(summary.totals.add).toBeGreaterThan(60);
  expect(summary.markdown.length).toBeLessThanOrEqual(SUMMARY_LIMIT);
  const security = summary.entries.filter((e) => e.security.length > 0);
  expect(security.length).toBeGreaterThan(30);
  const securitySection = summary.markdown.slice(summary.markdown.indexOf('## 🔐 Security-relevant'), summary.markdown.indexOf('## 💥 Destructive') >= 0 ? summary.markdown.indexOf('## 💥 Destructive') : undefined);
  for (const entry of security) expect([entry.address, securitySection.includes(entry.address)]).toEqual([entry.address, true]);
  // The module tables are folded: each closed, and the totals and security section come first.
  expect(summary.markdown.split('<details>').length).toBe(summary.markdown.split('</details>').length);
  expect(summary.markdown.indexOf('## 🔐 Security-relevant')).toBeLessThan(summary.markdown.indexOf('<details>'));
});

/**
 * Progress of a Terraform apply or destroy while it runs: resources done out of the plan's total, those in progress,
 * and the slowest of them with their elapsed time. It reads Terraform's own lines as they come (terraform apply, or
 * cdktf deploy / destroy, which pass them on behind the stack's name):
 *
 *     Plan: 75 to add, 0 to change, 0 to destroy.
 *     aws_lb.edge_origin_load-balancer_32908A3A: Creating...
 *     aws_lb.edge_origin_load-balancer_32908A3A: Still creating... [50s elapsed]
 *     aws_lb.edge_origin_load-balancer_32908A3A: Creation complete after 1m0s [id=arn:...]
 *
 * and reports at most one line every `intervalMs` (and one when the last resource is done):
 *
 *     23/75 resources done (31 %), 4 in progress; slowest: aws_lb.edge_origin_load-balancer_32908A3A 45 s, ...
 *
 * A plan (or an apply before its first change) reports its refresh: `40 resources read`.
 */
import { terraformLine } from './terraform-output';

const PLAN = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/;
const STARTED = /^([\w.\-[\]"]+): (?:Creating|Modifying|Destroying|Still creating|Still modifying|Still destroying)\.\.\./;
const DONE = /^([\w.\-[\]"]+): (?:Creation|Modifications|Destruction) complete after /;
const FAILED = /^[│ ]*Error: /;
/** A plan's refresh: "Refreshing state... [id=...]" (a managed resource), "Read complete after 0s" (a data source). */
const READ = /^([\w.\-[\]"]+): (?:Refreshing state\.\.\.|Read complete after )/;

export interface ApplyProgressOptions {
  /** Milliseconds between two reports. @default 5000 */
  readonly intervalMs?: number;
  /** The plan's total, when it is known before Terraform prints it (an apply of a saved plan). */
  readonly total?: number;
  /** The clock, in milliseconds. @default Date.now */
  readonly now?: () => number;
  /** How many in-progress resources a report names. @default 3 */
  readonly slowest?: number;
}

export class ApplyProgress {
  private total: number | undefined;
  private done = 0;
  private read = 0;
  private readonly running = new Map<string, number>();
  private lastReport = Number.NEGATIVE_INFINITY;
  private lastText = '';
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly slowest: number;

  constructor(
    private readonly report: (text: string) => void,
    options: ApplyProgressOptions = {},
  ) {
    this.total = options.total;
    this.intervalMs = options.intervalMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.slowest = options.slowest ?? 3;
  }

  /** One line of Terraform's output (cdktf's "<stack>  " prefix and colours are removed here). */
  line(raw: string): void {
    const text = terraformLine(raw).trim();
    const plan = PLAN.exec(text);
    if (plan && this.total === undefined) {
      this.total = Number(plan[1]) + Number(plan[2]) + Number(plan[3]);
      return;
    }
    const done = DONE.exec(text);
    if (done) {
      this.running.delete(done[1]!);
      this.done += 1;
      this.maybeReport(this.total !== undefined && this.done >= this.total);
      return;
    }
    const started = STARTED.exec(text);
    if (started) {
      // "Still creating... [1m10s elapsed]" ("[id=x, 1m10s elapsed]" on an update or destroy): Terraform's own count, kept when the start line was not seen.
      const elapsed = /[[ ](?:(\d+)h)?(?:(\d+)m)?(\d+)s elapsed\]/.exec(text);
      const since = elapsed ? this.now() - 1000 * (3600 * Number(elapsed[1] ?? 0) + 60 * Number(elapsed[2] ?? 0) + Number(elapsed[3])) : this.now();
      if (!this.running.has(started[1]!)) this.running.set(started[1]!, since);
      this.maybeReport(false);
      return;
    }
    if (READ.test(text)) {
      this.read += 1;
      this.maybeReport(false);
      return;
    }
    if (FAILED.test(text)) this.maybeReport(true);
  }

  /** A report of where the apply stands now. */
  status(): string {
    const now = this.now();
    const total = this.total;
    // Before the first change (a plan, or an apply still planning): how far its refresh is.
    if (total === undefined && this.done === 0 && this.running.size === 0) return `${this.read} resources read`;
    const share = total ? ` (${Math.floor((100 * this.done) / total)} %)` : '';
    const slow = [...this.running.entries()]
      .sort((a, b) => a[1] - b[1])
      .slice(0, this.slowest)
      .map(([address, since]) => `${address} ${Math.round((now - since) / 1000)} s`);
    return (
      `${this.done}${total === undefined ? '' : `/${total}`} resources done${share}` +
      (this.running.size > 0 ? `, ${this.running.size} in progress; slowest: ${slow.join(', ')}` : '')
    );
  }

  private maybeReport(force: boolean): void {
    const now = this.now();
    if (!force && now - this.lastReport < this.intervalMs) return;
    const text = this.status();
    if (text === this.lastText) return;
    this.lastReport = now;
    this.lastText = text;
    this.report(text);
  }
}

/** Splits a stream's chunks into whole lines for `onLine` (the last, unterminated line at `end()`). */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk: string) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) onLine(part);
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

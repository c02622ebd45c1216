/** Step-by-step progress for long operations: each step prints its name, then its elapsed time. */
export class Progress {
  private readonly started = Date.now();
  constructor(
    private readonly title: string,
    private readonly out: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Runs `work` as a named step; on failure says which step failed and rethrows. */
  async step<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const t0 = Date.now();
    this.out.write(`[${this.title}] ${name} ...\n`);
    try {
      const result = await work();
      this.out.write(`[${this.title}] ${name}: done in ${seconds(Date.now() - t0)} (total ${seconds(Date.now() - this.started)})\n`);
      return result;
    } catch (error) {
      this.out.write(`[${this.title}] ${name}: FAILED after ${seconds(Date.now() - t0)}\n`);
      throw new StepError(name, error);
    }
  }

  /** A line about work that runs alongside the steps (with the total elapsed time). */
  note(message: string): void {
    this.out.write(`[${this.title}] ${message} (total ${seconds(Date.now() - this.started)})\n`);
  }

  elapsed(): string {
    return seconds(Date.now() - this.started);
  }
}

export class StepError extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`step "${step}" failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StepError';
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A plain-text table: people read columns faster than sentences. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

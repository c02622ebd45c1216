/** Polling in tests: waits until `check` holds, and fails naming what it waited for when it does not in time. */
export async function until(what: string, check: () => boolean | Promise<boolean>, options: { timeoutMs: number; intervalMs?: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${options.timeoutMs / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

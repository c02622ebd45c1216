/**
 * Ctrl-C and SIGTERM for every command that runs Terraform: `run()` (scripts/lib/terraform.ts) installs the handlers
 * when it first starts a child; npm start and npm run destroy add what they print.
 *
 * Children run in process groups of their own, so a Ctrl-C at the terminal reaches only this process; it then asks
 * each running Terraform to stop the way Terraform documents for an interrupt (one SIGINT: finish the operations in
 * flight, write the state, release the lock) and waits. A second Ctrl-C is passed on as Terraform's second interrupt
 * (stop at once). When a child ends, whatever is left of its group (a provider plugin of a Terraform that was killed)
 * is killed, so no process outlives the command.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const running = new Set<ChildProcess>();
let received: NodeJS.Signals | undefined;
let count = 0;
let installed = false;
const listeners: ((signal: NodeJS.Signals, count: number) => void)[] = [];

/** The signal that interrupted this command, if one did. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return received;
}

/** Thrown by a step that stopped because of an interrupt. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted (${signal})`);
  }
}

/** Exit code of a command ended by a signal, as shells report it (130 for SIGINT, 143 for SIGTERM). */
export function exitCodeOf(signal: NodeJS.Signals): number {
  return 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1);
}

/**
 * Installs the handlers (once) and calls `onSignal` on each signal received. Until this is called, a signal
 * ends the process as Node does by default.
 */
export function handleInterrupts(onSignal?: (signal: NodeJS.Signals, count: number) => void): void {
  if (onSignal) listeners.push(onSignal);
  if (installed) return;
  installed = true;
  const handle = (signal: NodeJS.Signals) => {
    received ??= signal;
    count += 1;
    for (const listener of listeners) listener(signal, count);
    for (const child of running) interruptChild(child, count);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

/** Runs with every spawned child: tracked until it closes, then the rest of its process group is killed. */
export function track(child: ChildProcess): void {
  running.add(child);
  if (received) interruptChild(child, count);
  child.on('close', () => {
    running.delete(child);
    killGroup(child.pid, 'SIGKILL');
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is gone */
  }
}

/** The processes below `pid` (Linux /proc), deepest last. */
export function descendants(pid: number): { pid: number; name: string }[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const children = new Map<number, { pid: number; name: string }[]>();
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push({ pid: Number(entry), name });
      children.set(ppid, list);
    } catch {
      /* exited meanwhile */
    }
  }
  const found: { pid: number; name: string }[] = [];
  const visit = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      visit(child.pid);
    }
  };
  visit(pid);
  return found;
}

/**
 * Terraform stops gracefully on its first SIGINT and at once on the second. The signal goes to each Terraform in the
 * child's tree (cdktf-cli runs one below itself and would otherwise end first, cutting Terraform's output off); a
 * child that runs no Terraform gets SIGINT, and SIGKILL on the third signal.
 */
function interruptChild(child: ChildProcess, times: number): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const terraforms = [{ pid: child.pid, name: String(child.spawnfile).split('/').pop() ?? '' }, ...descendants(child.pid)].filter((p) => p.name === 'terraform');
  if (times >= 3) return killGroup(child.pid, 'SIGKILL');
  if (terraforms.length === 0) return killGroup(child.pid, 'SIGINT');
  for (const terraform of terraforms) {
    try {
      process.kill(terraform.pid, 'SIGINT');
    } catch {
      /* ended meanwhile */
    }
  }
}

// The process's load for the capacity reporter: the CPU of the process and every process it started, per period
// (the recognisers decode on libuv's pool; locally every other service runs in the same process, and the
// translation and speech engines in processes of their own: Apertium's pipelines, festival), and the event loop's
// delay.
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LoadProbe } from '#worker/capacity-reporter';

/** /proc reports CPU time in clock ticks of USER_HZ, which Linux fixes at 100 a second for user space. */
const TICK_MS = 10;

/** One process's figures from /proc/<pid>/stat. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** CPU it used and that of its children it has waited for (utime + stime + cutime + cstime), in ms. */
  cpuMs: number;
}

/** Parses /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so fields count from its end. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // After ") ": state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17).
  const f = text.slice(close + 2).split(' ');
  const ppid = Number(f[1]);
  const ticks = [f[11], f[12], f[13], f[14]].map(Number);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || ticks.some((t) => !Number.isFinite(t))) return undefined;
  return { pid, ppid, cpuMs: ticks.reduce((a, b) => a + b, 0) * TICK_MS };
}

/**
 * The CPU, in ms, of `root` and all its descendants: each one's own time and its reaped children's. A child that
 * exits moves its total into its parent's children's time, so the sum only ever grows by CPU actually used.
 */
export function treeCpuMs(stats: readonly ProcStat[], root: number): number {
  return cpuMsOf(subtree(stats, root));
}

const cpuMsOf = (tree: readonly ProcStat[]) => tree.reduce((sum, s) => sum + s.cpuMs, 0);

/** `root` and every process below it, among `stats`. */
function subtree(stats: readonly ProcStat[], root: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const siblings = children.get(s.ppid);
    if (siblings) siblings.push(s);
    else children.set(s.ppid, [s]);
  }
  const found = stats.filter((s) => s.pid === root);
  for (let i = 0; i < found.length; i++) found.push(...(children.get(found[i]!.pid) ?? []));
  return found;
}

function readProcStat(pid: number | string): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined; // it exited (a child's time is then its parent's children's time)
  }
}

function readAllProcStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const stat = readProcStat(name);
    if (stat) stats.push(stat);
  }
  return stats;
}

/** Every process on the machine is read once in this many samples; in between, only the tree's known members. */
const RESCAN_EVERY = 10;

/**
 * Where /proc can be read (Linux), the process tree's CPU; elsewhere the process's own. Reading every process takes
 * ~4 ms with ~70 of them, so the tree is found again only every RESCAN_EVERY samples: a process started in between
 * is counted from the next scan with all the CPU it used so far, so nothing is lost, only counted a little late.
 */
function processTreeCpuMs(): () => number {
  if (!readProcStat(process.pid)) {
    return () => {
      const cpu = process.cpuUsage();
      return (cpu.user + cpu.system) / 1000;
    };
  }
  let members: number[] = [];
  let samples = 0;
  return () => {
    if (samples++ % RESCAN_EVERY === 0) {
      const tree = subtree(readAllProcStats(), process.pid);
      members = tree.map((s) => s.pid);
      return cpuMsOf(tree);
    }
    const known = members.map(readProcStat).filter((s): s is ProcStat => s !== undefined);
    return treeCpuMs(known, process.pid);
  };
}

export class ProcessLoadProbe implements LoadProbe {
  private readonly loop = monitorEventLoopDelay({ resolution: 20 });
  private readonly cpuMs: () => number;
  private lastCpuMs: number;
  private lastAt = performance.now();

  constructor(cpuMs: () => number = processTreeCpuMs()) {
    this.cpuMs = cpuMs;
    this.lastCpuMs = cpuMs();
    this.loop.enable();
  }

  sample(): { busyCores: number; eventLoopDelayMs: number } {
    const now = performance.now();
    const cpuMs = this.cpuMs();
    const wallMs = Math.max(1, now - this.lastAt);
    const busyMs = Math.max(0, cpuMs - this.lastCpuMs);
    this.lastCpuMs = cpuMs;
    this.lastAt = now;
    const eventLoopDelayMs = this.loop.count ? this.loop.percentile(99) / 1e6 : 0;
    this.loop.reset();
    return { busyCores: busyMs / wallMs, eventLoopDelayMs };
  }
}

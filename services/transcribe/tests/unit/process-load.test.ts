// The load the capacity reporter measures: the CPU of the process and of every process it started (the engines'
// own processes cost the machine as much as its threads do).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ProcessLoadProbe, parseProcStat, treeCpuMs } from '../../src/adapters/process-load.ts';

const stat = (pid: number, comm: string, ppid: number, utime: number, stime: number, cutime = 0, cstime = 0) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 120 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0`;

describe('process tree CPU', () => {
  test('reads a process from /proc/<pid>/stat whatever its name holds', () => {
    expect(parseProcStat(stat(41, 'lt-proc', 40, 12, 3, 1, 0))).toEqual({ pid: 41, ppid: 40, cpuMs: 160 });
    // A command name may hold spaces and parentheses: the fields are counted from its last ")".
    expect(parseProcStat(stat(42, 'a (b) c', 40, 1, 1))).toEqual({ pid: 42, ppid: 40, cpuMs: 20 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  test('sums the root and its descendants only; a child that exits moves its time into its parent', () => {
    const live = [
      { pid: 1, ppid: 0, cpuMs: 5_000 },
      { pid: 40, ppid: 1, cpuMs: 300 },
      { pid: 41, ppid: 40, cpuMs: 120 },
      { pid: 42, ppid: 41, cpuMs: 80 },
      { pid: 50, ppid: 1, cpuMs: 999 },
    ];
    expect(treeCpuMs(live, 40)).toBe(500);
    expect(treeCpuMs(live, 77)).toBe(0);
    // 42 used 20 ms more, exited and was reaped by 41: its 100 ms are now 41's children's time.
    const after = [live[0]!, live[1]!, { pid: 41, ppid: 40, cpuMs: 220 }, live[4]!];
    expect(treeCpuMs(after, 40) - treeCpuMs(live, 40)).toBe(20);
  });

  test('the probe reports the tree CPU per wall second', async () => {
    let cpuMs = 1_000;
    const probe = new ProcessLoadProbe(() => cpuMs);
    await new Promise((resolve) => setTimeout(resolve, 100));
    cpuMs += 50;
    const { busyCores } = probe.sample();
    expect(busyCores).toBeGreaterThan(0.2);
    expect(busyCores).toBeLessThan(0.6);
    // Time that seems to go back (a grandchild whose parent exited goes to init) counts as nothing, not less.
    cpuMs -= 500;
    expect(probe.sample().busyCores).toBe(0);
  });

  test.runIf(existsSync('/proc/self/stat'))(
    'counts the CPU of a child process, which the process’s own figure misses',
    async () => {
      const probe = new ProcessLoadProbe();
      const own = process.cpuUsage();
      const started = performance.now();
      // A child that works until it has used 300 ms of CPU, then exits (and is reaped by this process).
      const child = spawn(process.execPath, ['-e', 'while (process.cpuUsage().user < 300_000);'], { stdio: 'ignore' });
      await new Promise((resolve, reject) => child.once('exit', resolve).once('error', reject));
      const wallMs = performance.now() - started;
      const { busyCores } = probe.sample();
      const ownCpu = process.cpuUsage(own);
      expect(busyCores * wallMs).toBeGreaterThanOrEqual(280);
      expect((ownCpu.user + ownCpu.system) / 1000).toBeLessThan(busyCores * wallMs - 250);
    },
  );
});

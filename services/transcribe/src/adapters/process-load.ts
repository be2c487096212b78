// The process's load for the capacity reporter: CPU of all its threads (the recognisers decode on libuv's pool;
// locally every other service runs in the same process) per period, and the event loop's delay.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LoadProbe } from '#worker/capacity-reporter';

export class ProcessLoadProbe implements LoadProbe {
  private readonly loop = monitorEventLoopDelay({ resolution: 20 });
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor() {
    this.loop.enable();
  }

  sample(): { busyCores: number; eventLoopDelayMs: number } {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const wallMs = Math.max(1, now - this.lastAt);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const eventLoopDelayMs = this.loop.count ? this.loop.percentile(99) / 1e6 : 0;
    this.loop.reset();
    return { busyCores: (cpu.user + cpu.system) / 1000 / wallMs, eventLoopDelayMs };
  }
}

// Runs the local system as its own process (as `npm start` does), so benchmarks measure the server alone.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CapacityReport } from '@llt/events';

export interface SpawnedSystem {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process printed so far (logs, metrics, errors). */
  output(): string;
  env(): Promise<Record<string, string>>;
  stats(): Promise<ServerStats>;
  /** SIGTERM (SIGKILL after 10 s); the data directory is removed unless it was given to `spawnSystem`. */
  stop(): Promise<void>;
  /** Kills the process with `signal` and resolves with its exit; keeps the data directory. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  /** Default: a free port. */
  port?: number;
  /** Default: a new temporary folder, removed by `stop()`. A given folder is kept (restart tests reuse it). */
  dataDir?: string;
}

export interface ServerStats {
  histograms: Record<
    string,
    { count: number; p50: number | null; p95: number | null; p99: number | null; max: number | null }
  >;
  counters: Record<string, number>;
  process: { rssBytes: number; maxRssBytes: number; cpuUserMs: number; cpuSystemMs: number; uptimeMs: number };
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Each transcription worker's latest capacity report and its live sessions' load (absent on older servers). */
  transcription?: {
    workerId: string;
    report?: CapacityReport;
    sessions?: { sessionId: string; audioMs: number; lagMs: number; realTimeFactor?: number; degraded: boolean }[];
  }[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const ROOT = resolve(import.meta.dirname, '../..');

export async function spawnSystem(
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
  options: SpawnOptions = {},
): Promise<SpawnedSystem> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'llt-bench-'));
  // LLT_BENCH_NODE_ARGS: extra Node flags for the system (e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile a run).
  const extraArgs = process.env.LLT_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extraArgs, ...nodeArgs, '--import', 'tsx', 'local/src/main.ts'], {
    // LLT_BENCH_SYSTEM_ROOT: another checkout's system (a before/after comparison in one sitting, same benchmark).
    cwd: process.env.LLT_BENCH_SYSTEM_ROOT ?? ROOT,
    // Decoders run on libuv's thread pool (4 threads by default) alongside fs and DNS work: give it room, as
    // `npm start` does.
    env: {
      UV_THREADPOOL_SIZE: '16',
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LLT_DATA_DIR: dataDir,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`local system exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`local system did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  return {
    url,
    port,
    dataDir,
    child,
    output: () => output,
    env: async () => (await fetch(`${url}/internal/env`)).json() as Promise<Record<string, string>>,
    stats: async () => (await fetch(`${url}/internal/stats`)).json() as Promise<ServerStats>,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exit, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async kill(signal) {
      child.kill(signal);
      return exit;
    },
  };
}

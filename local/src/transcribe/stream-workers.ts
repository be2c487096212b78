// Transcribe's stream workers in the local runtime: the long-running workers that run as ECS Fargate tasks on AWS,
// each here on a worker thread of its own. A thread, not the main event loop: like two tasks, two workers share no
// memory (their own module graph, Transcriber and PocketSphinx decoders), and killing one (`terminate()`) stops it
// mid-batch the way a crashed task stops: nothing finalized, no lease released, its decoders gone. They read the
// local Kinesis stream and share its shards through the lease table in the local DynamoDB, exactly as on AWS.
import { Worker } from 'node:worker_threads';
import { intEnv, RESOURCE_ENV, SHARD_LEASES_TABLE, stats } from '@llt/platform';
import type { CapacitySnapshot } from '@llt/transcribe/handlers/worker';

/** Messages from a worker's thread. */
export type FromThread =
  | { type: 'ready'; workerId: string }
  | { type: 'shards'; shards: string[] }
  /** The worker's latest capacity report and each live session's load (what ingest admits against). */
  | { type: 'capacity'; snapshot: CapacitySnapshot }
  | { type: 'metric'; kind: 'latency' | 'count'; name: string; value: number; dimension?: string }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

/** Messages to a worker's thread. */
export type ToThread = { type: 'stop' };

export interface StreamWorkersOptions {
  /** The services' environment (endpoints of the emulators and the bus, resource names, LLT_ settings). */
  env: Record<string, string>;
  /** Workers to start; default LLT_TRANSCRIBE_WORKERS from `env` (1). */
  count?: number;
  onError?: (error: unknown, where: string) => void;
}

export interface StreamWorkerHandle {
  readonly workerId: string;
  /** The shards the worker reads, as it last reported them. */
  readonly shards: readonly string[];
  /** Its latest capacity report and per-session lag, as it last sent them. */
  readonly capacity: CapacitySnapshot | undefined;
  /** Graceful stop (what SIGTERM does to a task): utterances in progress end as finals, leases are freed. */
  stop(): Promise<void>;
  /** Abrupt end (a crashed task): the thread is terminated mid-work; its leases expire on their own. */
  kill(): Promise<void>;
  /** Settles when the thread has ended, however. */
  readonly exited: Promise<void>;
}

export interface StreamWorkers {
  readonly workers: readonly StreamWorkerHandle[];
  /** Starts one more worker (a scale-out). */
  add(env?: Record<string, string>): Promise<StreamWorkerHandle>;
  /** Stops every worker gracefully, one after another (each hands its shards on to the ones still running). */
  stop(): Promise<void>;
}

const THREAD_URL = new URL('./stream-worker-thread.mjs', import.meta.url);

/**
 * Local defaults, each overridable through `env`: the lease table, and a shard with no checkpoint read from its start
 * (a new local stream is empty, a kept one has checkpoints). Shards are polled as on AWS (the worker's default, 220
 * ms): Kinesis allows 5 GetRecords a second per shard, and the local Kinesis refuses more as Kinesis does
 * (emulator-worker.mjs).
 */
const LOCAL_DEFAULTS: Record<string, string> = {
  [RESOURCE_ENV.shardLeasesTable]: SHARD_LEASES_TABLE.name,
  LLT_TRANSCRIBE_INITIAL_POSITION: 'TRIM_HORIZON',
};

/**
 * Starts `count` workers and resolves once each has taken part in the leases once. Worker ids are `local-1`,
 * `local-2`, … in start order: stable across restarts of the local system, so a restarted worker takes its own
 * leases back at once instead of waiting for them to expire.
 */
export async function startStreamWorkers(options: StreamWorkersOptions): Promise<StreamWorkers> {
  const onError = options.onError ?? ((error, where) => console.error(`[local] ${where}:`, error));
  const count = options.count ?? intEnv('LLT_TRANSCRIBE_WORKERS', 1, options.env);
  const workers: StreamWorkerHandle[] = [];
  let next = 1;
  const add = async (env: Record<string, string> = {}) => {
    const workerId = `local-${next++}`;
    // What a process on this machine has (PATH, the process-wide defaults the runtime set: log level, metrics
    // off unless asked for), then the local defaults and the services' configuration.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const handle = await startThread(
      { ...inherited, ...LOCAL_DEFAULTS, ...options.env, ...env, LLT_TRANSCRIBE_WORKER_ID: workerId },
      onError,
    );
    workers.push(handle);
    return handle;
  };
  try {
    for (let i = 0; i < count; i++) await add();
  } catch (error) {
    await Promise.all(workers.map((w) => w.kill()));
    throw error;
  }
  return {
    workers,
    add,
    async stop() {
      for (const worker of workers) await worker.stop();
    },
  };
}

async function startThread(
  env: Record<string, string>,
  onError: (error: unknown, where: string) => void,
): Promise<StreamWorkerHandle> {
  const workerId = env.LLT_TRANSCRIBE_WORKER_ID!;
  const thread = new Worker(THREAD_URL, { env, execArgv: [], name: `transcribe-${workerId}` });
  let shards: readonly string[] = [];
  let capacity: CapacitySnapshot | undefined;
  let ended = false;
  let stopped: (() => void) | undefined;
  const exited = new Promise<void>((resolve) => {
    thread.once('exit', () => {
      ended = true;
      shards = [];
      stopped?.();
      resolve();
    });
  });
  thread.on('error', (error) => onError(error, `transcription worker ${workerId}`));
  const ready = new Promise<void>((resolve, reject) => {
    thread.on('message', (message: FromThread) => {
      switch (message.type) {
        case 'ready':
          resolve();
          break;
        case 'shards':
          shards = message.shards;
          break;
        case 'capacity':
          capacity = message.snapshot;
          break;
        case 'metric': {
          const name = `transcribe.${message.name}`;
          if (message.kind === 'latency') stats.histogram(name).record(message.value);
          else {
            stats.increment(name, message.value);
            if (message.dimension) stats.increment(`${name}.${message.dimension}`, message.value);
          }
          break;
        }
        case 'error':
          reject(new Error(message.message));
          onError(new Error(message.message), `transcription worker ${workerId}`);
          break;
        case 'stopped':
          break;
      }
    });
    void exited.then(() => reject(new Error(`transcription worker ${workerId} exited before it was ready`)));
  });
  await ready;
  return {
    workerId,
    get capacity() {
      return ended ? undefined : capacity;
    },
    get shards() {
      return shards;
    },
    async stop() {
      if (ended) return;
      const done = new Promise<void>((resolve) => {
        stopped = resolve;
      });
      thread.postMessage({ type: 'stop' } satisfies ToThread);
      await done;
    },
    async kill() {
      if (ended) return;
      await thread.terminate();
      await exited;
    },
    exited,
  };
}

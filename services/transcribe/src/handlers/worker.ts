// The transcription worker's entry point: a long-running process (an ECS Fargate task on AWS, a worker thread in the
// local runtime) that reads its configuration from the environment and consumes the audio stream with shard leases
// until it is stopped. SIGTERM (how ECS stops a task) or SIGINT stops it gracefully: the utterances in progress end
// as finals and the leases are freed for the other workers.
import { pathToFileURL } from 'node:url';
import type { Observability } from '@llt/platform';
import { createCapacityReporter, createWorkerDeps } from '#adapters/index';
import { loadWorkerConfig } from '#config';
import type { CapacityReporter } from '#worker/capacity-reporter';

export type { CapacitySnapshot } from '#worker/capacity-reporter';

import { StreamWorker } from '#worker/stream-worker';
import { observability } from '../observability.ts';

/** Powertools buffers metrics; Lambda publishes them per invocation, a long-running process on a timer. */
const METRICS_FLUSH_MS = 60_000;

export interface RunningWorker {
  readonly worker: StreamWorker;
  /** Says how many sessions the worker can hold (ingest admits against it) and watches every session's lag. */
  readonly capacity: CapacityReporter;
  /** Graceful stop (see StreamWorker.stop); the buffered metrics are published last. */
  stop(): Promise<void>;
}

export async function startTranscribeWorker(
  env: NodeJS.ProcessEnv = process.env,
  obs: Observability = observability,
): Promise<RunningWorker> {
  const config = loadWorkerConfig(env);
  const deps = await createWorkerDeps(config, obs);
  const worker = new StreamWorker(deps);
  const capacity = createCapacityReporter(config, deps, obs);
  const publishMetrics = () => {
    if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
  };
  await worker.start();
  capacity.start();
  const flush = setInterval(publishMetrics, METRICS_FLUSH_MS);
  flush.unref();
  let stopping: Promise<void> | undefined;
  return {
    worker,
    capacity,
    stop() {
      stopping ??= (async () => {
        clearInterval(flush);
        await capacity.stop();
        await worker.stop();
        publishMetrics();
      })();
      return stopping;
    },
  };
}

/** Runs the worker as the process's only job, until SIGTERM or SIGINT (also one that arrives while it starts). */
export async function main(): Promise<void> {
  const { logger } = observability;
  const starting = startTranscribeWorker();
  const stop = (signal: string) => {
    logger.info('stopping the transcription worker', { signal });
    starting
      .then((running) => running.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('graceful stop failed', { error: (error as Error).message });
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  const running = await starting;
  logger.info('transcription worker started', { workerId: running.worker.workerId });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

// Inside one transcription worker's thread: the same entry point the container runs (startTranscribeWorker), with
// its metrics also sent to the main thread (whose /internal/stats reports them), and a graceful stop on request.
import { parentPort } from 'node:worker_threads';
import { createObservability, type Observability } from '@llt/platform';
import { nameThisThread } from '@llt/platform/thread-priority';
import { startTranscribeWorker } from '@llt/transcribe/handlers/worker';
import type { FromThread, ToThread } from './stream-workers.ts';

const port = parentPort;
if (!port) throw new Error('stream-worker-runtime runs on a worker thread');
const post = (message: FromThread) => port.postMessage(message);
nameThisThread(`transcribe-${process.env.LLT_TRANSCRIBE_WORKER_ID?.replace(/^local-/, '') ?? ''}`);

const base = createObservability('transcribe');
const observability: Observability = {
  ...base,
  latency(name, ms) {
    base.latency(name, ms);
    post({ type: 'metric', kind: 'latency', name, value: ms });
  },
  count(name, by = 1, dimension) {
    base.count(name, by, dimension);
    post({ type: 'metric', kind: 'count', name, value: by, ...(dimension ? { dimension: dimension.value } : {}) });
  },
};

try {
  const running = await startTranscribeWorker(process.env, observability);
  let reported = '';
  const report = () => {
    const shards = running.worker.ownedShards;
    if (shards.join() === reported) return;
    reported = shards.join();
    post({ type: 'shards', shards });
  };
  let capacityAt = 0;
  const reporter = setInterval(() => {
    report();
    const latest = running.capacity.latest;
    if (latest && latest.report.updatedAt !== capacityAt) {
      capacityAt = latest.report.updatedAt;
      post({ type: 'capacity', snapshot: latest });
    }
  }, 100);
  report();
  post({ type: 'ready', workerId: running.worker.workerId });
  port.on('message', (message: ToThread) => {
    if (message.type !== 'stop') return;
    clearInterval(reporter);
    running.stop().then(
      () => {
        post({ type: 'shards', shards: [] });
        post({ type: 'stopped' });
        process.exit(0);
      },
      (error: unknown) => {
        post({ type: 'error', message: `graceful stop failed: ${(error as Error).message}` });
        process.exit(1);
      },
    );
  });
} catch (error) {
  post({ type: 'error', message: `worker did not start: ${(error as Error).message}` });
  process.exit(1);
}

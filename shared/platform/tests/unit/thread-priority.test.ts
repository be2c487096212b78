// A worker thread names itself and lowers its own priority, leaving the thread that started it as it was.
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';

/** Starts a thread that names itself and sets its priority as told; resolves with what Linux then says of it. */
function thread(told: { name?: string; nice?: number }): Promise<{ name: string; nice: number }> {
  const worker = new Worker(new URL('./fixtures/thread-priority-worker.mjs', import.meta.url), {
    workerData: told,
    execArgv: [],
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (message) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe.runIf(process.platform === 'linux')('thread name and priority (Linux)', () => {
  test("a thread's name is what top -H shows, cut to Linux's 15 characters; the process keeps its own", async () => {
    const own = readFileSync('/proc/thread-self/comm', 'utf8').trim();
    expect((await thread({ name: 'notify-caption-and-more' })).name).toBe('notify-caption-');
    expect(readFileSync('/proc/thread-self/comm', 'utf8').trim()).toBe(own);
  });

  test('a thread lowers its own priority only; 0 leaves it as it is', async () => {
    const own = getPriority();
    expect((await thread({ nice: 7 })).nice).toBe(7);
    expect((await thread({ nice: 0 })).nice).toBe(own);
    expect(getPriority()).toBe(own);
  });
});

// A handler module for the local Lambda service's tests: each call tells what its execution environment holds
// (its own id, its module state, its timers), or fails the way it is asked to.
import { randomUUID } from 'node:crypto';
import { stats } from '@llt/platform';

/** Set by the test's own thread: a function never sees it. */
export const RUNTIME_MARK = '__lltRuntimeMark';

/** Module state: one copy per module graph, so per execution environment. */
const environmentId = randomUUID();
let invocations = 0;
const timersFired: number[] = [];

export type ProbeEvent =
  | { action: 'whoami' }
  | { action: 'sleep'; ms: number }
  | { action: 'set-timer'; ms: number }
  | { action: 'throw'; name: string; message: string }
  | { action: 'count'; metric: string }
  | { action: 'env'; name: string }
  /** Leaves a rejected promise nobody handles: the runtime ends, as Node's Lambda runtime does. */
  | { action: 'reject-unhandled' };

export class ProbeFailedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export async function handler(event: ProbeEvent, context: { functionName: string; awsRequestId: string }) {
  invocations++;
  const self = {
    environmentId,
    invocations,
    functionName: context.functionName,
    timersFired: [...timersFired],
    sawRuntimeMark: RUNTIME_MARK in globalThis,
  };
  switch (event.action) {
    case 'whoami':
      return self;
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, event.ms));
      return self;
    case 'set-timer': {
      const setAt = Date.now();
      setTimeout(() => timersFired.push(Date.now() - setAt), event.ms);
      return self;
    }
    case 'throw':
      throw new ProbeFailedError(event.name, event.message);
    case 'count':
      stats.increment(event.metric);
      stats.histogram(`${event.metric}Ms`).record(invocations);
      return self;
    case 'env':
      return { ...self, value: process.env[event.name] ?? null };
    case 'reject-unhandled':
      void Promise.reject(new ProbeFailedError('LostError', 'nobody waited for this'));
      return self;
  }
}

/** Lambda's init code: runs once per environment, before its first invocation. */
export async function warm(): Promise<void> {
  stats.increment('probe.Warmed');
}

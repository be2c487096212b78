// Messages between the local Lambda service (main thread) and an execution environment (its worker thread).
// Events and results travel as JSON text, as Lambda serializes them: a handler gets a deserialized copy.
import type { StatsChanges } from '@llt/platform/stats';

/** How the Node.js Lambda runtime reports a failed invocation (the Invoke API's error payload). */
export interface ErrorReport {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export interface EnvironmentData {
  functionName: string;
  /** file: URL of the handler module. */
  handlerUrl: string;
  /** The module's export that handles invocations. */
  handlerName: string;
  /** Frozen between invocations: the thread blocks until the next message (one invocation at a time). */
  freeze: boolean;
  /** An Int32 the main thread increments after posting to a frozen environment, waking it. */
  doorbell: SharedArrayBuffer;
  port: import('node:worker_threads').MessagePort;
  logStreamName: string;
  memoryLimitInMB: number;
  /** The environment's CPU priority (Linux nice, 0–19; 0: the process's own), set on its thread before init. */
  nice: number;
}

export type ToEnvironment =
  | { type: 'invoke'; id: number; event: string; requestId: string; timeoutMs: number }
  /** Lambda's shutdown phase: the module's `shutdown` export (if any) may release what it holds. */
  | { type: 'shutdown'; graceMs: number };

export type FromEnvironment =
  | { type: 'ready'; changes?: StatsChanges }
  | { type: 'init-error'; error: ErrorReport }
  | { type: 'result'; id: number; payload: string; changes?: StatsChanges }
  | { type: 'error'; id: number; error: ErrorReport; changes?: StatsChanges }
  /** Figures recorded outside an invocation (an environment that is not frozen runs between invocations). */
  | { type: 'stats'; changes: StatsChanges }
  /** The runtime itself failed (an uncaught exception or unhandled rejection); the environment is gone. */
  | { type: 'crash'; error: ErrorReport }
  | { type: 'down'; changes?: StatsChanges };

/** What the Node.js Lambda runtime reports for a thrown value: the error's name, or `typeof` for non-errors. */
export function errorReport(error: unknown, errorType?: string): ErrorReport {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const e = error as Error;
    return {
      errorType: errorType ?? (typeof e.name === 'string' && e.name ? e.name : 'Error'),
      errorMessage: String(e.message),
      trace: typeof e.stack === 'string' ? e.stack.split('\n') : [],
    };
  }
  return { errorType: errorType ?? typeof error, errorMessage: String(error), trace: [] };
}

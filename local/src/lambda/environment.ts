// One execution environment of a local Lambda function: a worker thread with its own module graph, started when
// the function's pool needs one (a cold start) and discarded when the pool recycles it or the runtime stops.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { StatsChanges } from '@llt/platform/stats';
import type { EnvironmentData, ErrorReport, FromEnvironment, ToEnvironment } from './protocol.ts';

/**
 * A failed invocation, as the Invoke API reports it: `name` is the function's error type (what Step Functions'
 * Retry and Catch match), `message` its message, `stack` the trace the runtime reported.
 */
export class LambdaInvocationError extends Error {
  readonly functionName: string;
  readonly errorType: string;

  constructor(functionName: string, report: ErrorReport) {
    super(report.errorMessage);
    this.name = report.errorType;
    this.errorType = report.errorType;
    this.functionName = functionName;
    if (report.trace.length > 0) this.stack = report.trace.join('\n');
  }
}

/** What an environment's thread loads: the runtime, and the function's bundle. */
export interface EnvironmentCode {
  runtimePath: string;
  /** The function's bundle: its handler module's exports. */
  handlerPath: string;
}

export interface EnvironmentOptions {
  functionName: string;
  /** Bundled once per function; an environment starts when they are there. */
  code: Promise<EnvironmentCode>;
  /** The export that handles invocations. */
  handlerName: string;
  /** The environment's number within its function (1 for the first started). */
  number: number;
  /** The environment's `process.env`. */
  env: Record<string, string>;
  /** Frozen between invocations (then one invocation at a time). */
  freeze: boolean;
  memoryLimitInMB: number;
  /** CPU priority of the environment's thread (Linux nice; 0: the process's own). */
  nice: number;
  /** Figures the function recorded in the environment. */
  onStats: (changes: StatsChanges) => void;
  /** The environment ended without being discarded (its runtime crashed). */
  onExit: (environment: ExecutionEnvironment) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** How long a discarded environment's `shutdown` export may run (Lambda's shutdown phase: up to 2 s). */
export const SHUTDOWN_GRACE_MS = 2_000;

export class ExecutionEnvironment {
  readonly id: string;
  readonly number: number;
  /**
   * Resolves with the init duration (Lambda's Init Duration: from the thread's start to the module loaded and
   * warmed) once the environment can take invocations; rejects if its init failed.
   */
  readonly ready: Promise<number>;
  /** Invocations handed to this environment so far. */
  invocations = 0;
  readonly #options: EnvironmentOptions;
  /** Set once the code is bundled (before that, the environment is still starting). */
  #worker: Worker | undefined;
  readonly #started: Promise<void>;
  readonly #port: MessagePort;
  readonly #doorbell: Int32Array;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #gone = false;
  #initialized = false;
  #crash: ErrorReport | undefined;
  #down: (() => void) | undefined;

  constructor(options: EnvironmentOptions) {
    let createdAt = performance.now();
    this.#options = options;
    this.number = options.number;
    this.id = `${options.functionName}#${options.number}`;
    const doorbell = new SharedArrayBuffer(4);
    this.#doorbell = new Int32Array(doorbell);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
    let initialized: (ms: number) => void = () => undefined;
    let failed: (error: Error) => void = () => undefined;
    this.ready = new Promise<number>((resolve, reject) => {
      initialized = resolve;
      failed = reject;
    });
    // Callers that never invoke (a warm-up that failed elsewhere) must not leave an unhandled rejection.
    this.ready.catch(() => undefined);
    this.#port.on('message', (message: FromEnvironment) =>
      this.#receive(message, () => initialized(performance.now() - createdAt), failed),
    );
    this.#port.unref();
    this.#started = options.code.then(
      (code) => {
        if (this.#gone) {
          failed(new Error(`execution environment ${this.id} was discarded before it started`));
          return;
        }
        createdAt = performance.now();
        const data: EnvironmentData = {
          functionName: options.functionName,
          handlerUrl: pathToFileURL(code.handlerPath).href,
          handlerName: options.handlerName,
          freeze: options.freeze,
          doorbell,
          port: port2,
          // Lambda's form: date, version, then the environment's own id.
          logStreamName,
          memoryLimitInMB: options.memoryLimitInMB,
          nice: options.nice,
        };
        const worker = new Worker(code.runtimePath, {
          workerData: data,
          transferList: [port2],
          env: { ...options.env, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName },
          execArgv: [],
          name: this.id,
        });
        this.#worker = worker;
        worker.on('error', (error) => {
          this.#crash ??= { errorType: error.name || 'Error', errorMessage: error.message, trace: [] };
        });
        worker.on('exit', (code) => {
          const wasGone = this.#gone;
          this.#gone = true;
          const report: ErrorReport = this.#crash ?? {
            errorType: 'Runtime.ExitError',
            errorMessage: `Runtime exited with error: exit status ${code}`,
            trace: [],
          };
          failed(new LambdaInvocationError(options.functionName, report));
          this.#failPending(report);
          this.#down?.();
          if (!wasGone) options.onExit(this);
        });
      },
      (error: unknown) => {
        this.#gone = true;
        failed(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  get gone(): boolean {
    return this.#gone;
  }

  /** Runs one invocation; the caller has waited for `ready` (and keeps frozen environments to one at a time). */
  invoke(event: unknown, timeoutMs: number): Promise<unknown> {
    if (this.#gone) {
      return Promise.reject(
        new LambdaInvocationError(this.#options.functionName, {
          errorType: 'Runtime.ExitError',
          errorMessage: `Execution environment ${this.id} is gone`,
          trace: [],
        }),
      );
    }
    const id = this.#nextId++;
    this.invocations++;
    // Lambda serializes the event: the handler gets a copy, dates as strings, no undefined fields.
    const payload = JSON.stringify(event) ?? 'null';
    const promise = new Promise<unknown>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    // An invocation in flight keeps the process alive, an idle environment does not.
    this.#worker?.ref();
    this.#send({ type: 'invoke', id, event: payload, requestId: randomUUID(), timeoutMs });
    return promise;
  }

  /**
   * Discards the environment: its module's `shutdown` export (if it has one) may release what it holds for up
   * to `graceMs`, then the thread is terminated. Invocations still running fail.
   */
  async discard(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    if (this.#gone) return;
    this.#gone = true;
    try {
      // A thread still loading its module reads no message: it gets the grace period to finish first.
      if (!this.#initialized && this.#worker) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          this.ready.catch(() => undefined),
          new Promise((resolve) => {
            timer = setTimeout(resolve, graceMs);
          }),
        ]);
        clearTimeout(timer);
      }
      if (this.#initialized && this.#crash === undefined) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs + 500);
          this.#down = () => {
            clearTimeout(timer);
            resolve();
          };
          this.#send({ type: 'shutdown', graceMs });
        });
      }
    } finally {
      await this.#started;
      await this.#worker?.terminate();
      this.#port.close();
    }
  }

  #send(message: ToEnvironment): void {
    this.#port.postMessage(message);
    // Wakes a frozen environment (it reads the message off the port itself); ignored by one that is not.
    Atomics.add(this.#doorbell, 0, 1);
    Atomics.notify(this.#doorbell, 0);
  }

  #receive(message: FromEnvironment, initialized: () => void, failed: (error: Error) => void): void {
    if ('changes' in message && message.changes) this.#options.onStats(message.changes);
    switch (message.type) {
      case 'ready':
        this.#initialized = true;
        // Loading kept the process alive; an idle environment does not.
        if (this.#pending.size === 0) this.#worker?.unref();
        initialized();
        return;
      case 'init-error':
        this.#crash = message.error;
        failed(new LambdaInvocationError(this.#options.functionName, message.error));
        return;
      case 'crash':
        this.#crash = message.error;
        return;
      case 'down':
        this.#down?.();
        return;
      case 'stats':
        return;
      case 'result':
      case 'error': {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (this.#pending.size === 0) this.#worker?.unref();
        if (message.type === 'result') pending.resolve(JSON.parse(message.payload));
        else pending.reject(new LambdaInvocationError(this.#options.functionName, message.error));
      }
    }
  }

  #failPending(report: ErrorReport): void {
    for (const pending of this.#pending.values()) {
      pending.reject(new LambdaInvocationError(this.#options.functionName, report));
    }
    this.#pending.clear();
  }
}

// A local speech engine on worker threads: the same engine, with synthesis and MP3 encoding (tens of ms of
// synchronous work per sentence) off the event loop that delivers captions. Requests go to the least busy worker;
// each worker loads its own voices (and runs its own festival process).
import { Worker } from 'node:worker_threads';
import type { Pronunciation, SpeechEngine, SynthesizedSpeech } from '#core/ports';
import { SynthesisError } from '#errors';
import type { EspeakSpeechEngineOptions } from './espeak.ts';
import type { LocalSpeechEngineOptions } from './local-speech.ts';

/** Which engine the workers run: the best local voices, or espeak-ng for every language. */
export type WorkerEngineChoice =
  | { engine: 'local'; options?: LocalSpeechEngineOptions }
  | { engine: 'espeak'; options?: EspeakSpeechEngineOptions };

interface Pending {
  resolve: (value: SynthesizedSpeech | undefined) => void;
  reject: (error: Error) => void;
}

type Reply =
  | { ready: true }
  | { id: number; ok: true; speech?: SynthesizedSpeech }
  | { id: number; ok: false; error: { name: string; message: string } };

/** An error raised inside a worker, re-raised here under its own name (what the workflow's Retry matches). */
export class WorkerEngineError extends SynthesisError {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

class EngineWorker {
  readonly pending = new Map<number, Pending>();
  readonly ready: Promise<void>;
  #worker: Worker;
  #next = 0;
  #exited: Error | undefined;

  constructor(choice: WorkerEngineChoice & { nice: number }) {
    this.#worker = new Worker(new URL('./speech-worker.mjs', import.meta.url), {
      workerData: choice,
      execArgv: [],
    });
    this.#worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.#worker.once('error', reject);
      this.#worker.once('message', () => resolve());
    });
    this.#worker.on('message', (reply: Reply) => this.#settle(reply));
    this.#worker.on('error', (cause) => this.#failAll(new SynthesisError('speech worker crashed', { cause })));
    this.#worker.on('exit', (code) => {
      this.#exited = new SynthesisError(`speech worker exited (code ${code})`);
      this.#failAll(this.#exited);
    });
  }

  request(message: Record<string, unknown>): Promise<SynthesizedSpeech | undefined> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id });
    });
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }

  #settle(reply: Reply): void {
    if ('ready' in reply) return;
    const request = this.pending.get(reply.id);
    if (!request) return;
    this.pending.delete(reply.id);
    if (reply.ok) request.resolve(reply.speech);
    else request.reject(new WorkerEngineError(reply.error.name, reply.error.message));
  }

  #failAll(error: Error): void {
    for (const request of this.pending.values()) request.reject(error);
    this.pending.clear();
  }
}

export class WorkerSpeechEngine implements SpeechEngine {
  readonly #workers: EngineWorker[];

  /** `nice`: the workers' CPU priority (Linux nice value, 0–19; 0 or absent: the process's own). */
  constructor(
    { workers = 1, nice = 0, ...choice }: WorkerEngineChoice & { workers?: number; nice?: number } = {
      engine: 'local',
    },
  ) {
    this.#workers = Array.from({ length: Math.max(1, workers) }, () => new EngineWorker({ ...choice, nice }));
  }

  async warm(languages?: readonly string[]): Promise<void> {
    await Promise.all(
      this.#workers.map(async (worker) => {
        await worker.ready;
        await worker.request({ op: 'warm', ...(languages ? { languages: [...languages] } : {}) });
      }),
    );
  }

  async synthesize(
    text: string,
    language: string,
    pronunciations: readonly Pronunciation[] = [],
  ): Promise<SynthesizedSpeech> {
    const worker = this.#workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    await worker.ready;
    const speech = await worker.request({ op: 'synthesize', text, language, pronunciations: [...pronunciations] });
    if (!speech) throw new SynthesisError('speech worker returned no audio');
    return speech;
  }

  async close(): Promise<void> {
    // Festival processes are the workers' children: they are stopped before the workers go.
    await Promise.all(this.#workers.map((w) => w.request({ op: 'close' }).catch(() => undefined)));
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

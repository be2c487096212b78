// Apertium translation engine: one persistent null-flushed tool-chain pipeline per mode, requests matched FIFO.
// A pair without a direct mode runs through its route's modes in turn (e.g. English → Catalan → French), each hop
// on the same shared pipeline that serves the direct pair.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TermOptions, TranslationEngine } from '#core/ports';
import { protectTerms } from '#core/terms';
import { TranslationEngineError, UnsupportedLanguagePairError } from '#errors';
import {
  type ApertiumMode,
  type ApertiumRoute,
  DEFAULT_MODES_DIR,
  findApertiumRoute,
  installedApertiumRoutes,
  modeFile,
  pivotsOf,
} from './apertium-routes.ts';

const execFileAsync = promisify(execFile);

export interface ApertiumTranslatorOptions {
  /** Where the `<pair>.mode` files live. */
  modesDir?: string;
  /** How long one sentence may wait for its output (queueing included) before the pipeline is declared stuck. */
  sentenceTimeoutMs?: number;
  /** Extra time a new pipeline's sentences get until its first output, while its stages load; default 15 s. */
  startupAllowanceMs?: number;
}

const DEFAULT_SENTENCE_TIMEOUT_MS = 2000;
const NUL = 0;
// Loading the dictionaries takes ~0.5 s alone, seconds when every pipeline and voice warm up at once.
const DEFAULT_STARTUP_ALLOWANCE_MS = 15_000;

// Characters that are syntax in the Apertium stream format; unescaped they would corrupt or desync the stream.
const SPECIALS = /[\\[\]^$/@<>{}]/g;
// Unknown-word marks (* unknown, # generation error, @ transfer error) sit directly before a word.
const MARK_CHARS = new Set(['*', '#', '@']);

/** Makes a sentence safe for the stream: one line, no NULs (they are our delimiter), specials escaped. */
export function escapeForApertium(text: string): string {
  return text
    .replace(/[\r\n\0]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(SPECIALS, (c) => `\\${c}`);
}

/**
 * Turns raw pipeline output into plain text: drops unescaped word marks, unescapes the rest, collapses the runs
 * of spaces some transfer rules leave ("Hoy  hablaremos"), trims.
 */
export function cleanApertiumOutput(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\' && i + 1 < raw.length) {
      out += raw[i + 1];
      i++;
      continue;
    }
    const next = raw[i + 1];
    // Only a mark glued to the start of a word; a lone "*" or "#" in running text is kept.
    const prev = out.at(-1);
    if (
      MARK_CHARS.has(c) &&
      next !== undefined &&
      /\p{L}/u.test(next) &&
      (prev === undefined || !/[\p{L}\p{N}]/u.test(prev))
    ) {
      continue;
    }
    out += c;
  }
  return out.replace(/[ \t]{2,}/g, ' ').trim();
}

interface PendingRequest {
  resolve: (text: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** One running tool chain for one mode. Dies as a whole: any failure kills the process group and fails everything in flight. */
class Pipeline {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: PendingRequest[] = [];
  private chunks: Buffer[] = [];
  private dead = false;
  /** Until the first output the stages are still loading their dictionaries (~0.5 s alone, seconds under load). */
  private answered = false;
  readonly exited: Promise<void>;

  constructor(
    readonly mode: string,
    chain: string,
    private readonly timeoutMs: number,
    private readonly startupAllowanceMs: number,
    private readonly onDeath: (pipeline: Pipeline) => void,
  ) {
    // "$1" is the generator flag: -n drops unknown-word marks at the source; "$2" (tagger option) stays empty.
    // detached puts bash and every stage in one process group, so a kill reaches the whole chain. --norc: stdin is a
    // socket, and Debian's bash then reads ~/.bashrc as if sshd had started it; a slow one held the first answer.
    this.child = spawn('bash', ['--norc', '--noprofile', '-c', chain, 'apertium', '-n', ''], {
      detached: true,
      stdio: 'pipe',
    });
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.resume();
    this.child.stdin.on('error', (cause) => this.fail(`stdin of apertium pipeline ${mode} failed`, cause));
    this.child.once('error', (cause) => this.fail(`apertium pipeline ${mode} could not run`, cause));
    this.child.once('exit', (code, signal) =>
      this.fail(`apertium pipeline ${mode} exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.dead;
  }

  translate(escaped: string): Promise<string> {
    if (this.dead) return Promise.reject(new TranslationEngineError(`apertium pipeline ${this.mode} is not running`));
    const timeoutMs = this.answered ? this.timeoutMs : this.timeoutMs + this.startupAllowanceMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(`apertium pipeline ${this.mode} gave no output within ${timeoutMs} ms`),
        timeoutMs,
      );
      this.pending.push({ resolve, reject, timer });
      // The space before NUL matters: lt-proc -z otherwise swallows a sentence-final "." before the flush.
      this.child.stdin.write(`${escaped} \0`, 'utf8');
    });
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    let nul = chunk.indexOf(NUL, start);
    while (nul !== -1) {
      this.chunks.push(chunk.subarray(start, nul));
      // Decode only whole segments so a multi-byte character split across chunks stays intact.
      const text = Buffer.concat(this.chunks).toString('utf8');
      this.chunks = [];
      const request = this.pending.shift();
      this.answered = true;
      if (request) {
        clearTimeout(request.timer);
        request.resolve(cleanApertiumOutput(text));
      }
      start = nul + 1;
      nul = chunk.indexOf(NUL, start);
    }
    if (start < chunk.length) this.chunks.push(chunk.subarray(start));
  }

  /** Kills the chain and rejects everything in flight: their outputs can no longer be matched to them. */
  fail(message: string, cause?: unknown, kill = true): void {
    if (this.dead) return;
    this.dead = true;
    if (kill) this.killGroup('SIGKILL');
    const error = new TranslationEngineError(message, { cause });
    for (const request of this.pending.splice(0)) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    this.onDeath(this);
  }

  /**
   * Ends stdin so the stages exit in turn and bash reaps them; a SIGKILL to the group would orphan them to
   * init, which in a container may leave zombies. Falls back to the kill if the chain does not drain in time.
   */
  async close(graceMs = 1000): Promise<void> {
    if (!this.dead) {
      this.fail(`apertium pipeline ${this.mode} was closed`, undefined, false);
      this.child.stdin.end();
    }
    const timer = setTimeout(() => this.killGroup('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private killGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Group already gone: nothing left to kill.
    }
  }
}

export class ApertiumTranslator implements TranslationEngine {
  private readonly modesDir: string;
  private readonly timeoutMs: number;
  private readonly startupAllowanceMs: number;
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly starting = new Map<string, Promise<Pipeline>>();
  private readonly chains = new Map<string, string>();
  private readonly dying = new Set<Pipeline>();
  private closed = false;

  constructor(options: ApertiumTranslatorOptions = {}) {
    this.modesDir = options.modesDir ?? DEFAULT_MODES_DIR;
    this.timeoutMs = options.sentenceTimeoutMs ?? DEFAULT_SENTENCE_TIMEOUT_MS;
    this.startupAllowanceMs = options.startupAllowanceMs ?? DEFAULT_STARTUP_ALLOWANCE_MS;
  }

  /** `apertium:<mode>`, or the modes joined by "+" for a pivot (`apertium:eng-cat+cat-fra`). */
  name(targetLanguage: string): string {
    const modes = this.routeFor('en', targetLanguage).hops.map((hop) => hop.mode);
    return `apertium:${modes.join('+')}`;
  }

  /**
   * Glossary terms go through every hop as placeholders Apertium passes on untouched (see terms.ts, measured over
   * every local pair and pivot) and come out as their target forms.
   */
  async translate(text: string, sourceLanguage: string, targetLanguage: string, terms?: TermOptions): Promise<string> {
    if (!terms || terms.glossary.length === 0) return this.#translate(text, sourceLanguage, targetLanguage);
    const protectedText = protectTerms(text, terms.glossary, targetLanguage);
    if (protectedText.count === 0) return this.#translate(text, sourceLanguage, targetLanguage);
    const restored = protectedText.restore(await this.#translate(protectedText.text, sourceLanguage, targetLanguage));
    if (restored.lost.length > 0) terms.lost?.(restored.lost);
    return restored.text;
  }

  async #translate(text: string, sourceLanguage: string, targetLanguage: string): Promise<string> {
    const route = this.routeFor(sourceLanguage, targetLanguage);
    let escaped = escapeForApertium(text);
    // Nothing to translate; also keeps empty segments off the stream.
    if (escaped === '') return '';
    // Every hop's mode must be installed before the first hop spends any work on the sentence.
    await Promise.all(route.hops.map((hop) => this.chainFor(hop, route)));
    let out = '';
    for (const [i, hop] of route.hops.entries()) {
      if (i > 0) {
        // The previous hop's output is plain text again (unescaped, marks dropped): escape it for the next stream.
        escaped = escapeForApertium(out);
        if (escaped === '') return '';
      }
      const pipeline = await this.pipeline(hop, route);
      out = await pipeline.translate(escaped);
    }
    return out;
  }

  /**
   * Starts the pipelines of every hop these target languages need, so the first sentence does not pay the start-up
   * cost. A mode shared by several routes (eng-cat for Catalan and every pivot through it) starts once.
   */
  async warm(targetLanguages: readonly string[]): Promise<void> {
    const hops = new Map<string, { hop: ApertiumMode; route: ApertiumRoute }>();
    for (const lang of targetLanguages) {
      const route = this.routeFor('en', lang);
      for (const hop of route.hops) if (!hops.has(hop.mode)) hops.set(hop.mode, { hop, route });
    }
    // Every mode must be installed before any pipeline starts: a missing one fails the warm-up, naming its package.
    await Promise.all([...hops.values()].map(({ hop, route }) => this.chainFor(hop, route)));
    await Promise.all(
      [...hops.values()].map(async ({ hop, route }) => {
        const pipeline = await this.pipeline(hop, route);
        // The stages load their dictionaries only when the first input arrives (~0.3–0.5 s); pay that here too.
        await pipeline.translate('Hello.');
      }),
    );
  }

  /** Process ids (and process-group ids) of the running pipelines, for diagnostics and tests. */
  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [mode, pipeline] of this.pipelines) if (pipeline.pid !== undefined) out[mode] = pipeline.pid;
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.starting.values());
    const all = [...this.pipelines.values(), ...this.dying];
    this.pipelines.clear();
    await Promise.all(all.map((p) => p.close()));
  }

  private routeFor(sourceLanguage: string, targetLanguage: string): ApertiumRoute {
    const route = findApertiumRoute(sourceLanguage, targetLanguage);
    if (route) return route;
    const installed = installedApertiumRoutes(this.modesDir).map((r) => {
      const via = pivotsOf(r);
      return `${r.source}→${r.target}${via.length > 0 ? ` (via ${via.join(', ')})` : ''}`;
    });
    throw new UnsupportedLanguagePairError(
      `Apertium has no route ${sourceLanguage}→${targetLanguage}; installed in ${this.modesDir}: ${
        installed.length > 0 ? installed.join(', ') : 'none'
      }`,
    );
  }

  private pipeline(hop: ApertiumMode, route: ApertiumRoute): Promise<Pipeline> {
    const { mode } = hop;
    if (this.closed) return Promise.reject(new TranslationEngineError('ApertiumTranslator is closed'));
    const running = this.pipelines.get(mode);
    if (running?.alive) return Promise.resolve(running);
    // Concurrent first requests share one start-up instead of racing to spawn several chains.
    let starting = this.starting.get(mode);
    if (!starting) {
      starting = this.start(hop, route).finally(() => this.starting.delete(mode));
      this.starting.set(mode, starting);
    }
    return starting;
  }

  private async start(hop: ApertiumMode, route: ApertiumRoute): Promise<Pipeline> {
    const { mode } = hop;
    const chain = await this.chainFor(hop, route);
    if (this.closed) throw new TranslationEngineError('ApertiumTranslator is closed');
    const pipeline = new Pipeline(mode, chain, this.timeoutMs, this.startupAllowanceMs, (dead) => {
      // Forget it so the next request starts a fresh chain; keep it until its processes are reaped.
      if (this.pipelines.get(mode) === dead) this.pipelines.delete(mode);
      this.dying.add(dead);
      void dead.exited.then(() => this.dying.delete(dead));
    });
    this.pipelines.set(mode, pipeline);
    return pipeline;
  }

  private async chainFor(hop: ApertiumMode, route: ApertiumRoute): Promise<string> {
    const { mode } = hop;
    const cached = this.chains.get(mode);
    if (cached) return cached;
    const file = modeFile(this.modesDir, mode);
    try {
      await access(file);
    } catch (cause) {
      const via = pivotsOf(route);
      const pair = `${route.source}→${route.target}${via.length > 0 ? ` through ${via.join(', ')}` : ''}`;
      throw new UnsupportedLanguagePairError(
        `Apertium mode ${mode} is not installed (${file} missing), needed for ${pair}; install the Debian package ${hop.debianPackage}`,
        { cause },
      );
    }
    let chain: string;
    try {
      // apertium-wblank-mode rewrites the mode into its null-flush (-z) form, the same way the apertium script does.
      const { stdout } = await execFileAsync('apertium-wblank-mode', ['-z', file]);
      chain = stdout.trim();
    } catch (cause) {
      throw new TranslationEngineError(`could not read the tool chain of Apertium mode ${mode}`, { cause });
    }
    if (chain === '') throw new TranslationEngineError(`Apertium mode ${mode} has an empty tool chain`);
    this.chains.set(mode, chain);
    return chain;
  }
}

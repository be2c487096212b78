// Festival with an HTS voice (Catalan: upc_ca_ona_hts), kept warm as one `festival --pipe` process: starting
// festival and its voice costs ~1 s, a sentence in the warm process ~50 ms. Festival's voices read Latin-1 only.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SynthesisError } from '#errors';
import type { Pcm } from './espeak-wasm.ts';
import { parseWav } from './wav.ts';

export class FestivalError extends SynthesisError {
  override name = 'FestivalError';
}

export interface FestivalVoiceOptions {
  /** The festival voice, selected with `(voice_<name>)`. */
  voice: string;
  binary?: string;
  /** Longest wait for one sentence (or for the start-up) before the process is restarted; default 15 s. */
  timeoutMs?: number;
}

/** Characters outside Latin-1 that have a close Latin-1 spelling; anything else loses its accents, or goes. */
const LATIN1_SPELLINGS: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u2032': "'",
  '\u02bc': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2033': '"',
  '\u2013': '-',
  '\u2014': ', ',
  '\u2026': '...',
  '\u2022': ',',
  '\u20ac': ' euros ',
  // Letters with a stroke do not decompose into letter + accent.
  '\u0141': 'L',
  '\u0142': 'l',
  '\u0110': 'D',
  '\u0111': 'd',
  '\u0131': 'i',
  '\u0152': 'OE',
  '\u0153': 'oe',
  // Catalan's "ela geminada" as one character; its usual spelling is "l·l" with the Latin-1 middle dot.
  '\u013f': 'L\u00b7',
  '\u0140': 'l\u00b7',
};

/**
 * Text festival's Latin-1 voices can read: composed (NFC), typographic punctuation and a few letters respelled,
 * other letters stripped of the accents Latin-1 lacks ("ő" → "o"), anything still outside Latin-1 and control
 * characters replaced by spaces.
 */
export function toLatin1Text(text: string): string {
  let out = '';
  for (const c of text.normalize('NFC')) {
    const code = c.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += ' ';
    else if (code <= 0xff) out += c;
    else if (LATIN1_SPELLINGS[c] !== undefined) out += LATIN1_SPELLINGS[c];
    else {
      const base = c.normalize('NFD').replace(/\p{M}/gu, '');
      out += [...base].every((b) => (b.codePointAt(0) ?? 0x100) <= 0xff) && base !== '' ? base : ' ';
    }
  }
  return out;
}

/** A Scheme string literal: backslashes and double quotes escaped; festival reads the rest as is. */
function schemeString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

interface Request {
  marker: string;
  resolve: (outcome: string) => void;
  reject: (error: Error) => void;
}

/**
 * One warm festival process speaking one voice. Requests are queued: festival runs one utterance at a time.
 * Each request ends with a marker written to stderr (unbuffered, unlike festival's stdout) saying whether the
 * utterance was written; the wave goes through a file in a private temporary folder.
 */
export class FestivalVoice {
  readonly voice: string;
  readonly #binary: string;
  readonly #timeoutMs: number;
  #process: ChildProcessWithoutNullStreams | undefined;
  #started: Promise<void> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #current: Request | undefined;
  /** What festival wrote to stderr since the current command was sent: its markers and its error messages. */
  #stderr = '';
  #next = 0;
  #dir: string | undefined;

  constructor({ voice, binary = 'festival', timeoutMs = 15_000 }: FestivalVoiceOptions) {
    if (!/^[\w-]+$/.test(voice)) throw new FestivalError(`not a festival voice name: "${voice}"`);
    this.voice = voice;
    this.#binary = binary;
    this.#timeoutMs = timeoutMs;
  }

  /** Starts festival and loads the voice (~1 s); synthesis does it when needed, and again after a crash. */
  start(): Promise<void> {
    this.#started ??= this.#spawn().catch((error: unknown) => {
      this.#started = undefined;
      this.#process?.kill();
      throw error;
    });
    return this.#started;
  }

  /** Speaks the text (any Unicode: it is made Latin-1 first) to 16-bit mono PCM at the voice's rate. */
  synthesize(text: string): Promise<Pcm> {
    const run = this.#queue.then(() => this.#speak(text));
    this.#queue = run.catch(() => {});
    return run;
  }

  close(): void {
    this.#process?.kill();
    this.#process = undefined;
    this.#started = undefined;
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  async #speak(text: string): Promise<Pcm> {
    await this.start();
    this.#dir ??= mkdtempSync(join(tmpdir(), 'llt-festival-'));
    const id = this.#next++;
    const file = join(this.#dir, `u${id}.wav`);
    const marker = `llt-done-${id}`;
    const utterance = schemeString(toLatin1Text(text).replace(/\s+/g, ' ').trim());
    // unwind-protect lets festival carry on after an error in this utterance; the marker says whether it did.
    const command =
      '(set! llt_ok nil)\n' +
      `(unwind-protect (begin (set! llt_u (Utterance Text ${utterance})) (utt.synth llt_u) ` +
      `(utt.save.wave llt_u ${schemeString(file)} 'riff) (set! llt_ok t)) nil)\n` +
      `(format stderr "${marker} %s\\n" (if llt_ok "ok" "error"))\n`;
    try {
      const outcome = await this.#send(command, marker);
      if (outcome !== 'ok') throw new FestivalError(`festival (${this.voice}) failed: ${this.#errors()}`);
      let wav: Buffer;
      try {
        wav = readFileSync(file);
      } catch (cause) {
        throw new FestivalError(`festival (${this.voice}) wrote no wave: ${this.#errors()}`, { cause });
      }
      return parseWav(wav);
    } finally {
      rmSync(file, { force: true });
    }
  }

  #errors(): string {
    return (
      this.#stderr
        .replace(/llt-\w+-?\d* \w+/g, '')
        .trim()
        .slice(-300) || 'no message'
    );
  }

  async #spawn(): Promise<void> {
    const child = spawn(this.#binary, ['--pipe'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#process = child;
    child.stdout.resume(); // festival's own chatter; the markers come on stderr
    child.stderr.setEncoding('latin1');
    child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
      const request = this.#current;
      const match = request && new RegExp(`${request.marker} (\\w+)`).exec(this.#stderr);
      if (request && match) {
        this.#current = undefined;
        request.resolve(match[1] ?? '');
      }
    });
    child.on('error', (cause) => this.#fail(new FestivalError(`could not run ${this.#binary}`, { cause })));
    child.on('exit', (code, signal) => {
      if (this.#process === child) {
        this.#process = undefined;
        this.#started = undefined;
      }
      this.#fail(new FestivalError(`festival exited (${code ?? signal}): ${this.#errors()}`));
    });
    child.stdin.on('error', () => {}); // reported through 'exit'
    this.#idle(child);
    const select =
      `(set! llt_ok nil)\n(unwind-protect (begin (voice_${this.voice}) (set! llt_ok t)) nil)\n` +
      '(format stderr "llt-ready %s\\n" (if llt_ok "ok" "error"))\n';
    const outcome = await this.#send(select, 'llt-ready');
    if (outcome !== 'ok') throw new FestivalError(`festival could not load the voice ${this.voice}: ${this.#errors()}`);
  }

  /** Writes a command and waits for its marker; a process that does not answer in time is killed. */
  #send(command: string, marker: string): Promise<string> {
    const child = this.#process;
    if (!child) return Promise.reject(new FestivalError('festival is not running'));
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new FestivalError(`festival (${this.voice}) did not answer within ${this.#timeoutMs} ms`));
        child.kill();
      }, this.#timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.#idle(child);
      };
      this.#busy(child);
      this.#stderr = '';
      this.#current = {
        marker,
        resolve: (outcome) => {
          settle();
          resolve(outcome);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      child.stdin.write(Buffer.from(command, 'latin1'));
    });
  }

  #fail(error: Error): void {
    const request = this.#current;
    this.#current = undefined;
    request?.reject(error);
  }

  /** While idle the process must not keep Node alive (a worker or a test could never exit); while busy it must. */
  #idle(child: ChildProcessWithoutNullStreams): void {
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Partial<Refable>).unref?.();
  }

  #busy(child: ChildProcessWithoutNullStreams): void {
    child.ref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Partial<Refable>).ref?.();
  }
}

interface Refable {
  ref(): void;
  unref(): void;
}

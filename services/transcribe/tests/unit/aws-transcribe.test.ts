// The Amazon Transcribe recogniser against a mocked StartStreamTranscription: request, audio, utterances, failures.

import {
  GetVocabularyCommand,
  NotFoundException,
  TranscribeClient,
  BadRequestException as VocabularyBadRequestException,
} from '@aws-sdk/client-transcribe';
import {
  BadRequestException,
  InternalFailureException,
  LimitExceededException,
  type Result,
  ServiceUnavailableException,
  StartStreamTranscriptionCommand,
  type StartStreamTranscriptionCommandInput,
  TranscribeStreamingClient,
  type TranscriptResultStream,
} from '@aws-sdk/client-transcribe-streaming';
import type { GlossaryEntry } from '@llt/events';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  type AmazonTranscribeOptions,
  AmazonTranscribeRecognizer,
  type Timers,
  transcribeLanguageCode,
} from '#adapters/aws-transcribe';
import type { Clock, Hypothesis, RecognizerStream } from '#core/ports';
import { RecognizerError } from '#errors';

/** A clock and timers that move only when the test says so. */
class FakeTime implements Clock, Timers {
  private t = 0;
  private nextId = 0;
  private timers: { id: number; at: number; callback: () => void }[] = [];

  now(): number {
    return this.t;
  }

  schedule(ms: number, callback: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ id, at: this.t + ms, callback });
    return () => {
      this.timers = this.timers.filter((timer) => timer.id !== id);
    };
  }

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.t = due.at;
      due.callback();
    }
    this.t = target;
    await settle();
  }

  /** Moves the clock without firing timers: a frozen Lambda instance being thawed. */
  jump(ms: number): void {
    this.t += ms;
  }
}

/** Lets every pending promise chain (SDK stub, async generators, result loop) run; no time passes. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** An async iterable the test pushes transcript events into, as Transcribe's TranscriptResultStream. */
class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private error: unknown;

  push(item: T): void {
    this.items.push(item);
    this.poke();
  }

  close(): void {
    this.closed = true;
    this.poke();
  }

  fail(error: unknown): void {
    this.error = error;
    this.poke();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.error !== undefined) throw this.error;
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** One accepted StartStreamTranscription request: reads the audio like the SDK does and answers on demand. */
class FakeTranscription {
  readonly chunks: Uint8Array[] = [];
  readonly results = new Channel<TranscriptResultStream>();
  audioEnded = false;

  constructor(
    readonly input: StartStreamTranscriptionCommandInput,
    closeWhenAudioEnds: boolean,
  ) {
    void (async () => {
      for await (const event of input.AudioStream!) {
        if (event.AudioEvent?.AudioChunk) this.chunks.push(event.AudioEvent.AudioChunk);
      }
      this.audioEnded = true;
      if (closeWhenAudioEnds) this.results.close();
    })();
  }

  transcript(...results: Result[]): void {
    this.results.push({ TranscriptEvent: { Transcript: { Results: results } } });
  }

  audioBytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/** A Transcribe result made of timed words; a word ending in `.`/`?` gets a punctuation item after it. */
function result(id: string, words: [text: string, start: number, end: number][], partial: boolean): Result {
  const items = words.flatMap(([text, start, end]) => {
    const mark = /[.?!,]$/.exec(text)?.[0];
    const word = {
      Type: 'pronunciation' as const,
      Content: mark ? text.slice(0, -1) : text,
      StartTime: start,
      EndTime: end,
    };
    return mark ? [word, { Type: 'punctuation' as const, Content: mark, StartTime: end, EndTime: end }] : [word];
  });
  return {
    ResultId: id,
    StartTime: words[0]![1],
    EndTime: words.at(-1)![2],
    IsPartial: partial,
    Alternatives: [{ Transcript: words.map(([text]) => text).join(' '), Items: items }],
  };
}

/** The result with Transcribe's partial-result stabilization flags set on its items, in order (punctuation included). */
function stabilized(r: Result, ...stable: boolean[]): Result {
  const [alternative] = r.Alternatives!;
  expect(alternative!.Items).toHaveLength(stable.length);
  const items = alternative!.Items!.map((item, i) => ({ ...item, Stable: stable[i] }));
  return { ...r, Alternatives: [{ ...alternative, Items: items }] };
}

const CHUNK = 1_600; // 100 ms at 16 kHz, one Kinesis frame

/** A recognisable 100 ms frame: sample i is `seed * 100 + i` (mod 2^15). */
function frame(seed: number, length = CHUNK): Int16Array {
  return Int16Array.from({ length }, (_, i) => (seed * 100 + i) % 32_768);
}

function bytesOf(...frames: Int16Array[]): Uint8Array {
  return Buffer.concat(frames.map((f) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength)));
}

const transcribe = mockClient(TranscribeStreamingClient);
const client = new TranscribeStreamingClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

let time: FakeTime;
let streams: FakeTranscription[];
/** What each StartStreamTranscription call does, in order: accept (default), refuse, or wait for the test. */
let plans: ('accept' | 'hang' | Error | Promise<Error | undefined>)[];
let closeWhenAudioEnds: boolean;
const open: RecognizerStream[] = [];

beforeEach(() => {
  time = new FakeTime();
  streams = [];
  plans = [];
  closeWhenAudioEnds = true;
  transcribe.reset();
  transcribe.on(StartStreamTranscriptionCommand).callsFake(async (input: StartStreamTranscriptionCommandInput) => {
    const plan = plans.shift() ?? 'accept';
    if (plan === 'hang') return new Promise(() => {});
    if (plan instanceof Error) throw plan;
    if (plan !== 'accept') {
      const refusal = await plan;
      if (refusal) throw refusal;
    }
    const stream = new FakeTranscription(input, closeWhenAudioEnds);
    streams.push(stream);
    return { TranscriptResultStream: stream.results };
  });
});

afterEach(async () => {
  closeWhenAudioEnds = true;
  for (const s of open.splice(0)) {
    const released = s.release().catch(() => {});
    await time.advance(5_000);
    await released;
  }
});

async function openStream(options: AmazonTranscribeOptions = {}, language = 'en'): Promise<RecognizerStream> {
  const recognizer = new AmazonTranscribeRecognizer(client, { clock: time, timers: time, ...options });
  const opening = recognizer.open('s_session0001', language);
  await settle();
  const stream = await opening;
  open.push(stream);
  return stream;
}

/** Writes `n` frames seeded from `seed` once pending results are in; resolves with the last hypothesis text. */
async function speak(stream: RecognizerStream, seed: number, n: number): Promise<string> {
  await settle();
  let text = '';
  for (let i = 0; i < n; i++) text = (await stream.write(frame(seed + i))).text;
  await settle();
  return text;
}

/** Writes `n` frames like speak() and resolves with the whole last hypothesis. */
async function hear(stream: RecognizerStream, seed: number, n: number): Promise<Hypothesis> {
  await settle();
  let hypothesis: Hypothesis = { text: '' };
  for (let i = 0; i < n; i++) hypothesis = await stream.write(frame(seed + i));
  await settle();
  return hypothesis;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('AmazonTranscribeRecognizer', () => {
  test('starts one stream per session in the preferred English locale, PCM at 16 kHz and high stabilization', async () => {
    const recognizer = new AmazonTranscribeRecognizer(client, { clock: time, timers: time });
    expect(recognizer.name).toBe('amazon-transcribe');
    const stream = await openStream();
    await speak(stream, 0, 3);
    streams[0]!.transcript(result('r1', [['hello.', 0.05, 0.25]], false));
    await settle();
    await stream.finish();
    await speak(stream, 10, 3);
    const second = stream.finish();
    await time.advance(250);
    await second;

    const calls = transcribe.commandCalls(StartStreamTranscriptionCommand);
    expect(calls).toHaveLength(1);
    const { AudioStream, ...request } = calls[0]!.args[0].input;
    expect(request).toEqual({
      LanguageCode: 'en-US',
      MediaEncoding: 'pcm',
      MediaSampleRateHertz: 16_000,
      EnablePartialResultsStabilization: true,
      PartialResultsStability: 'high',
    });
    expect(AudioStream).toBeDefined();
  });

  test('stabilization level is configurable; an unknown language is refused', async () => {
    await openStream({ partialResultsStability: 'medium' });
    expect(streams[0]!.input.PartialResultsStability).toBe('medium');
    const recognizer = new AmazonTranscribeRecognizer(client, { clock: time, timers: time });
    await expect(recognizer.open('s_session0002', 'xx')).rejects.toThrow(RecognizerError);
    await expect(recognizer.open('s_session0002', 'eo')).rejects.toThrow(/'eo' is not a source language/);
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(1);
  });

  test.each([
    ['es', 'es-US'],
    ['es-ES', 'es-ES'],
    ['es-MX', 'es-MX'],
    ['es-AR', 'es-US'],
    ['en', 'en-US'],
    ['en-GB', 'en-GB'],
    ['fr', 'fr-FR'],
    ['fr-CA', 'fr-CA'],
    ['pt', 'pt-BR'],
    ['zh-TW', 'zh-TW'],
    ['fa', 'fa-IR'],
    ['et', 'et-ET'],
  ])("a session speaking %s is streamed to Transcribe as LanguageCode '%s'", async (language, languageCode) => {
    await openStream({}, language);
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)[0]!.args[0].input.LanguageCode).toBe(languageCode);
  });

  test.each([
    ['es', 'es-US'],
    ['es-ES', 'es-ES'],
    ['ca', 'ca-ES'],
  ])('transcribeLanguageCode(%s) is %s', (language, languageCode) => {
    expect(transcribeLanguageCode(language)).toBe(languageCode);
  });

  test('sends exactly the bytes written, as s16le audio events, even if the caller reuses its buffer', async () => {
    const stream = await openStream();
    const a = frame(1);
    const b = frame(2, 800);
    const expected = bytesOf(a, b);
    await stream.write(a);
    await stream.write(b);
    a.fill(0); // the core may recycle its buffer once write() resolved
    await stream.write(new Int16Array(0)); // an empty AudioEvent would end the stream: never sent
    await settle();
    expect(streams[0]!.chunks).toHaveLength(2);
    expect(streams[0]!.audioBytes()).toEqual(expected);
  });

  test('write() does not wait for Transcribe', async () => {
    plans.push('hang');
    const recognizer = new AmazonTranscribeRecognizer(client, { clock: time, timers: time, openWaitMs: 2_000 });
    const opening = recognizer.open('s_session0001', 'en');
    await time.advance(2_000); // open() waits a bounded time for the request to be accepted, then goes on
    const stream = await opening;
    open.push(stream);
    await expect(stream.write(frame(1))).resolves.toEqual({ text: '', stableWords: 0 });
  });

  test('partials then finals: the hypothesis grows and finish() returns the final text without waiting', async () => {
    const stream = await openStream();
    const fake = () => streams[0]!;
    await speak(stream, 0, 5);
    fake().transcript(result('r1', [['hello', 0.1, 0.4]], true));
    expect(await speak(stream, 5, 1)).toBe('hello');
    fake().transcript(
      result(
        'r1',
        [
          ['hello', 0.1, 0.4],
          ['word', 0.45, 0.6],
        ],
        true,
      ),
    );
    expect(await speak(stream, 6, 1)).toBe('hello word');
    fake().transcript(
      result(
        'r1',
        [
          ['hello', 0.1, 0.4],
          ['world.', 0.45, 0.7],
        ],
        false,
      ),
    );
    fake().transcript(result('r2', [['how', 0.8, 0.9]], true));
    expect(await speak(stream, 7, 3)).toBe('hello world. how');
    fake().transcript(
      result(
        'r2',
        [
          ['how', 0.8, 0.9],
          ['are', 0.9, 0.95],
        ],
        false,
      ),
    );
    await settle();
    await expect(stream.finish()).resolves.toBe('hello world. how are'); // no time advanced: nothing left partial
  });

  test('stableWords counts the leading items of a partial result Transcribe marks stable, up to the first that is not', async () => {
    const stream = await openStream();
    await speak(stream, 0, 5);
    const partial = result(
      'r1',
      [
        ['the', 0.1, 0.2],
        ['amazon', 0.2, 0.4],
        ['is', 0.4, 0.5],
      ],
      true,
    );
    streams[0]!.transcript(stabilized(partial, true, true, false));
    expect(await hear(stream, 5, 1)).toEqual({ text: 'the amazon is', stableWords: 2 });
    // Only the leading run counts: a stable item after an unstable one may still move.
    streams[0]!.transcript(stabilized(partial, true, false, true));
    expect(await hear(stream, 6, 1)).toEqual({ text: 'the amazon is', stableWords: 1 });
    // A partial result without stabilization flags has no stable word.
    streams[0]!.transcript(partial);
    expect(await hear(stream, 7, 1)).toEqual({ text: 'the amazon is', stableWords: 0 });
  });

  test('stableWords: the words of completed results still in the hypothesis, then the stable items of the partial', async () => {
    const stream = await openStream();
    const fake = () => streams[0]!;
    await speak(stream, 0, 10);
    fake().transcript(
      result(
        'r1',
        [
          ['good', 0.1, 0.3],
          ['morning.', 0.3, 0.6],
        ],
        false,
      ),
    );
    fake().transcript(
      stabilized(
        result(
          'r2',
          [
            ['the', 0.7, 0.75],
            ['amazon', 0.75, 0.85],
            ['is', 0.85, 0.9],
          ],
          true,
        ),
        true,
        false,
        false,
      ),
    );
    expect(await hear(stream, 10, 1)).toEqual({ text: 'good morning. the amazon is', stableWords: 3 });
  });

  test('a punctuation mark that may still change holds back the word it is attached to', async () => {
    const stream = await openStream();
    await speak(stream, 0, 5);
    // Items: the, amazon, "." — the full stop may go again ("the amazon." → "the amazon is").
    streams[0]!.transcript(
      stabilized(
        result(
          'r1',
          [
            ['the', 0.1, 0.2],
            ['amazon.', 0.2, 0.4],
          ],
          true,
        ),
        true,
        true,
        false,
      ),
    );
    expect(await hear(stream, 5, 1)).toEqual({ text: 'the amazon.', stableWords: 1 });
  });

  test('words carried over from a replaced request are stable: the new request cannot change them', async () => {
    const stream = await openStream();
    await speak(stream, 0, 5);
    streams[0]!.transcript(result('r1', [['so', 0.1, 0.3]], true));
    await settle();
    streams[0]!.results.fail(new ServiceUnavailableException({ message: 'try later', $metadata: {} }));
    await settle();
    expect(await hear(stream, 5, 3)).toEqual({ text: 'so', stableWords: 1 });
    streams[1]!.transcript(stabilized(result('x1', [['then', 0.05, 0.25]], true), false));
    expect(await hear(stream, 8, 1)).toEqual({ text: 'so then', stableWords: 1 });
  });

  test('finish() waits a bounded time for final results, then returns stable + partial text', async () => {
    const stream = await openStream({ finalWaitMs: 250 });
    await speak(stream, 0, 6);
    streams[0]!.transcript(
      result(
        'r1',
        [
          ['good', 0.1, 0.3],
          ['mor', 0.3, 0.4],
        ],
        true,
      ),
    );
    await settle();
    let text: string | undefined;
    const finishing = stream.finish().then((t) => {
      text = t;
    });
    await time.advance(249);
    expect(text).toBeUndefined();
    await time.advance(1);
    await finishing;
    expect(text).toBe('good mor');

    // A final arriving within the wait ends it early.
    await speak(stream, 10, 6);
    const next = stream.finish();
    await time.advance(100);
    streams[0]!.transcript(result('r2', [['thanks.', 0.7, 0.9]], false));
    await settle();
    await expect(next).resolves.toBe('thanks.');
  });

  test('results for audio before a finish() boundary never reach the next utterance', async () => {
    const stream = await openStream();
    const fake = () => streams[0]!;
    await speak(stream, 0, 10); // utterance 1: 0.0–1.0 s
    fake().transcript(result('r1', [['good', 0.2, 0.5]], true));
    await settle();
    const first = stream.finish();
    await time.advance(250);
    await expect(first).resolves.toBe('good');

    await speak(stream, 10, 5); // utterance 2: 1.0–1.5 s
    // Late: the final of utterance 1, and Transcribe's segment carrying on across our boundary. A word is placed by
    // its midpoint, so one Transcribe times a little before the boundary (0.97 s) still belongs to the new utterance.
    fake().transcript(
      result(
        'r1',
        [
          ['good', 0.2, 0.5],
          ['evening', 0.55, 0.9],
        ],
        false,
      ),
    );
    fake().transcript(
      result(
        'r2',
        [
          ['good', 0.2, 0.5],
          ['well', 0.97, 1.2],
          ['morning', 1.2, 1.4],
        ],
        true,
      ),
    );
    expect(await speak(stream, 15, 1)).toBe('well morning');
    const r2 = result(
      'r2',
      [
        ['good', 0.2, 0.5],
        ['well', 0.97, 1.2],
        ['morning', 1.2, 1.4],
        ['all.', 1.4, 1.55],
      ],
      false,
    );
    fake().transcript(r2);
    await settle();
    await expect(stream.finish()).resolves.toBe('well morning all.');

    // An utterance Transcribe heard nothing in is empty after the bounded wait; nothing from before leaks in.
    await speak(stream, 20, 2);
    const third = stream.finish();
    await time.advance(250);
    await expect(third).resolves.toBe('');
  });

  test('sends silence after keepAliveAfterMs without audio, and counts it on the audio clock', async () => {
    const stream = await openStream({ keepAliveAfterMs: 10_000, keepAliveChunkMs: 100 });
    const fake = streams[0]!;
    await speak(stream, 0, 10); // 1.0 s of speech
    fake.transcript(result('r1', [['hi.', 0.2, 0.5]], false));
    await settle();
    await expect(stream.finish()).resolves.toBe('hi.');

    await time.advance(9_999);
    expect(fake.chunks).toHaveLength(10);
    await time.advance(1);
    expect(fake.chunks).toHaveLength(11);
    expect(fake.chunks[10]).toEqual(new Uint8Array(CHUNK * 2)); // 100 ms of zeros
    await time.advance(5_000);
    await speak(stream, 30, 1); // speech postpones the next keep-alive
    await time.advance(9_999);
    expect(fake.chunks).toHaveLength(12);
    await time.advance(1);
    expect(fake.chunks).toHaveLength(13);
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(1);

    // Transcribe's clock counts the silence: 10 frames + keep-alive + 1 frame + keep-alive = 1.3 s is the boundary,
    // so a late word at 1.25 s (inside the keep-alive silence) stays out of the next utterance.
    fake.transcript(result('r2', [['ok', 1.12, 1.18]], false));
    await settle();
    await expect(stream.finish()).resolves.toBe('ok');
    await speak(stream, 40, 5);
    fake.transcript(result('r3', [['um', 1.22, 1.28]], false), result('r4', [['again', 1.35, 1.6]], true));
    expect(await speak(stream, 45, 1)).toBe('again');
  });

  test('a request idle past the no-audio timeout (no timer could run) is replaced before sending', async () => {
    const stream = await openStream();
    await speak(stream, 0, 3);
    time.jump(20_000); // no timer fired: the process was stalled or suspended
    await speak(stream, 3, 2);
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(2);
    expect(streams[0]!.audioEnded).toBe(true);
    expect(streams[1]!.audioBytes()).toEqual(bytesOf(frame(3), frame(4)));
  });

  test('LimitExceededException when starting: open() fails with a RecognizerError naming the concurrency quota', async () => {
    const limit = new LimitExceededException({
      message: 'You have reached your limit of concurrent streams',
      $metadata: {},
    });
    plans.push(limit);
    const recognizer = new AmazonTranscribeRecognizer(client, { clock: time, timers: time });
    const error = await recognizer.open('s_session0001', 'en').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecognizerError);
    expect((error as Error).message).toMatch(/limit of concurrent streaming transcriptions/);
    expect((error as Error).message).toMatch(/Service Quotas/);
    expect((error as Error).cause).toBe(limit);
  });

  test('a transient stream error reopens on the next write and keeps the utterance text; a refused reopen is fatal', async () => {
    const stream = await openStream();
    await speak(stream, 0, 5);
    streams[0]!.transcript(result('r1', [['so', 0.1, 0.3]], false));
    await settle();
    streams[0]!.results.fail(new ServiceUnavailableException({ message: 'try later', $metadata: {} }));
    await settle();

    expect(await speak(stream, 5, 3)).toBe('so'); // reopened; the words heard so far are kept
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(2);
    expect(streams[1]!.audioBytes()).toEqual(bytesOf(frame(5), frame(6), frame(7)));
    streams[1]!.transcript(result('x1', [['then.', 0.05, 0.25]], false)); // the new request's clock starts at 0
    await settle();
    await expect(stream.finish()).resolves.toBe('so then.');

    // The replacement dies too, and Transcribe then refuses for quota: the clear error surfaces from write().
    streams[1]!.results.fail(new InternalFailureException({ message: 'oops', $metadata: {} }));
    await settle();
    plans.push(new LimitExceededException({ message: 'limit', $metadata: {} }));
    await stream.write(frame(20)); // starts the reopen; write() does not wait for its answer
    await settle();
    const error = await stream.write(frame(21)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecognizerError);
    expect((error as Error).message).toMatch(/LimitExceededException/);
    await expect(stream.finish()).rejects.toBe(error);
  });

  test('a request that fails between utterances is replaced reopenAfterMs later, before the speaker goes on', async () => {
    const stream = await openStream({ reopenAfterMs: 1_000 });
    await speak(stream, 0, 5);
    streams[0]!.transcript(result('r1', [['hello.', 0.1, 0.4]], false));
    await settle();
    await expect(stream.finish()).resolves.toBe('hello.');
    streams[0]!.results.fail(new InternalFailureException({ message: 'oops', $metadata: {} }));
    await settle();

    await time.advance(999);
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(1);
    await time.advance(1);
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(2);
    // The replacement is kept alive like the first, and the next utterance goes to it.
    await time.advance(10_000);
    expect(streams[1]!.chunks).toHaveLength(1);
    await speak(stream, 10, 2);
    expect(streams[1]!.audioBytes()).toEqual(bytesOf(new Int16Array(CHUNK), frame(10), frame(11)));
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(2);
  });

  test('a request past maxStreamMs is replaced at the next utterance boundary, never mid-utterance', async () => {
    const stream = await openStream({ maxStreamMs: 60_000 });
    await speak(stream, 0, 3);
    await time.advance(59_000); // keep-alives meanwhile
    await speak(stream, 3, 5); // an utterance that runs past the limit stays on its request
    await time.advance(2_000);
    await speak(stream, 8, 2);
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(1);
    streams[0]!.transcript(result('r1', [['still', 0.1, 0.2]], false));
    await settle();
    await expect(stream.finish()).resolves.toBe('still');

    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(2);
    await speak(stream, 20, 2);
    expect(streams[0]!.audioEnded).toBe(true);
    expect(streams[1]!.audioBytes()).toEqual(bytesOf(frame(20), frame(21)));
  });

  test('audio queued for a request that is refused moves to its replacement', async () => {
    const gate = deferred<Error | undefined>();
    plans.push('accept', gate.promise);
    const stream = await openStream();
    streams[0]!.results.fail(new ServiceUnavailableException({ message: 'down', $metadata: {} }));
    await settle();
    await speak(stream, 0, 2); // reopens; the new request is not accepted yet, so the audio waits in its queue
    gate.resolve(new ServiceUnavailableException({ message: 'still down', $metadata: {} }));
    await settle();
    await speak(stream, 2, 1);
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(3);
    expect(streams).toHaveLength(2); // the refused one never read its audio
    expect(streams[1]!.audioBytes()).toEqual(bytesOf(frame(0), frame(1), frame(2)));
  });

  test('reopening is bounded: after maxReopens failures in a row, write() rejects with a RecognizerError', async () => {
    const down = () => new ServiceUnavailableException({ message: 'down', $metadata: {} });
    plans.push(down(), down(), down(), down(), down());
    const stream = await openStream({ maxReopens: 3 });
    for (let i = 0; i < 3; i++) {
      await stream.write(frame(i)); // reopen #i+1, refused in the background
      await settle();
    }
    const error = await stream.write(frame(9)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecognizerError);
    expect((error as Error).message).toMatch(/failed 4 times in a row.*ServiceUnavailableException/);
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(4);
  });

  test('release() ends the audio, waits for the result stream, and is idempotent', async () => {
    const stream = await openStream();
    await speak(stream, 0, 2);
    const first = stream.release();
    const second = stream.release();
    expect(second).toBe(first);
    await first;
    expect(streams[0]!.audioEnded).toBe(true);
    await expect(stream.release()).resolves.toBeUndefined();
    await expect(stream.write(frame(3))).rejects.toThrow(RecognizerError);
    expect(transcribe.commandCalls(StartStreamTranscriptionCommand)).toHaveLength(1);
  });

  test('release() is bounded: a result stream that does not close is aborted', async () => {
    closeWhenAudioEnds = false;
    const stream = await openStream({ closeWaitMs: 2_000 });
    await speak(stream, 0, 1);
    let released = false;
    const releasing = stream.release().then(() => {
      released = true;
    });
    await time.advance(1_999);
    expect(released).toBe(false);
    await time.advance(1);
    await releasing;
    const call = transcribe.commandCalls(StartStreamTranscriptionCommand)[0]!;
    const options = (call.args as unknown[])[1] as { abortSignal: AbortSignal };
    expect(options.abortSignal.aborted).toBe(true);
  });
});

describe('AmazonTranscribeRecognizer: session glossary as a custom vocabulary', () => {
  const vocabularies = mockClient(TranscribeClient);
  const vocabularyClient = new TranscribeClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const NAME = 'llt-s_session0001-v1';
  let logs: { level: string; message: string; extra?: Record<string, unknown> }[];
  let counts: Record<string, number>;

  beforeEach(() => {
    vocabularies.reset();
    logs = [];
    counts = {};
  });

  function withVocabularies(extra: AmazonTranscribeOptions = {}): AmazonTranscribeOptions {
    const log = (level: string) => (message: string, extra?: Record<string, unknown>) => {
      logs.push({ level, message, ...(extra ? { extra } : {}) });
    };
    return {
      vocabularies: vocabularyClient,
      vocabularyCheckEveryMs: 10_000,
      log: { info: log('info'), warn: log('warn'), error: log('error') },
      metrics: {
        latency() {},
        count(name, by = 1) {
          counts[name] = (counts[name] ?? 0) + by;
        },
      },
      ...extra,
    };
  }

  function glossary(version: number, entries: GlossaryEntry[] = [{ term: 'Nguyen', spoken: 'win' }]) {
    return { version, entries };
  }

  /** The VocabularyName of every StartStreamTranscription request so far, in order. */
  function requested(): (string | undefined)[] {
    return transcribe.commandCalls(StartStreamTranscriptionCommand).map((c) => c.args[0].input.VocabularyName);
  }

  function lookups(): unknown[] {
    return vocabularies.commandCalls(GetVocabularyCommand).map((c) => c.args[0].input);
  }

  /** Ends the utterance in progress (finish() waits finalWaitMs for final results that never come). */
  async function endUtterance(stream: RecognizerStream): Promise<string> {
    const finishing = stream.finish();
    await time.advance(250);
    return finishing;
  }

  test('READY when the glossary arrives: the next utterance goes to a request that names the vocabulary', async () => {
    vocabularies.on(GetVocabularyCommand).resolves({ VocabularyName: NAME, VocabularyState: 'READY' });
    const stream = await openStream(withVocabularies());
    await expect(stream.useGlossary!(glossary(1))).resolves.toBe(1);
    expect(lookups()).toEqual([{ VocabularyName: NAME }]);

    await speak(stream, 0, 2);
    expect(requested()).toEqual([undefined, NAME]);
    expect(streams[0]!.audioEnded).toBe(true);
    expect(streams[1]!.audioBytes()).toEqual(bytesOf(frame(0), frame(1)));
    expect(streams[1]!.input.LanguageCode).toBe('en-US');
    expect(counts.VocabularySwitches).toBe(1);
  });

  test('while it is being built, recognition goes on without it; it is asked about at utterance boundaries (at most every vocabularyCheckEveryMs) and used from the boundary after READY', async () => {
    vocabularies
      .on(GetVocabularyCommand)
      // The events handler has not created it yet, then Transcribe is building it.
      .rejectsOnce(new NotFoundException({ message: 'not found', $metadata: {} }))
      .resolvesOnce({ VocabularyName: NAME, VocabularyState: 'PENDING' })
      .resolves({ VocabularyName: NAME, VocabularyState: 'READY' });
    const stream = await openStream(withVocabularies());
    await expect(stream.useGlossary!(glossary(1))).resolves.toBeUndefined();

    await speak(stream, 0, 2);
    await endUtterance(stream); // 250 ms after the last look: not asked again
    expect(lookups()).toHaveLength(1);

    await time.advance(10_000);
    await speak(stream, 10, 2);
    await endUtterance(stream); // due: asked in the background (PENDING)
    expect(lookups()).toHaveLength(2);
    await time.advance(10_000);
    await speak(stream, 20, 2);
    await endUtterance(stream); // due: asked (READY); the utterance that just ended was not cut
    expect(lookups()).toHaveLength(3);
    expect(requested()).toEqual([undefined]);

    await speak(stream, 30, 2);
    await endUtterance(stream); // the boundary after READY: the next utterance has the vocabulary
    expect(requested()).toEqual([undefined, NAME]);
    await speak(stream, 40, 1);
    expect(streams[1]!.audioBytes()).toEqual(bytesOf(frame(40)));
    expect(lookups()).toHaveLength(3); // READY is final: never asked again
  });

  test('a request restarting while the vocabulary is being built asks again, and starts with it once READY', async () => {
    vocabularies
      .on(GetVocabularyCommand)
      .resolvesOnce({ VocabularyName: NAME, VocabularyState: 'PENDING' })
      .resolves({ VocabularyName: NAME, VocabularyState: 'READY' });
    const stream = await openStream(withVocabularies({ vocabularyCheckEveryMs: 5_000, reopenAfterMs: 1_000 }));
    await expect(stream.useGlossary!(glossary(1))).resolves.toBeUndefined();
    await time.advance(6_000);
    streams[0]!.results.fail(new ServiceUnavailableException({ message: 'down', $metadata: {} }));
    await settle();
    await time.advance(1_000); // the replacement asks first, then names the vocabulary
    expect(lookups()).toHaveLength(2);
    expect(requested()).toEqual([undefined, NAME]);
  });

  test('FAILED: logged and counted once, and the stream goes on without it (never asked again)', async () => {
    vocabularies
      .on(GetVocabularyCommand)
      .resolves({ VocabularyName: NAME, VocabularyState: 'FAILED', FailureReason: 'Invalid character: ø' });
    const stream = await openStream(withVocabularies());
    await expect(stream.useGlossary!(glossary(1))).resolves.toBeUndefined();
    for (let i = 0; i < 3; i++) {
      await time.advance(20_000);
      await speak(stream, i * 10, 2);
      await endUtterance(stream);
    }
    expect(lookups()).toHaveLength(1);
    expect(requested()).toEqual([undefined]);
    expect(counts.VocabulariesFailed).toBe(1);
    const failed = logs.filter((l) => l.level === 'error');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.extra).toMatchObject({ vocabulary: NAME, reason: 'Invalid character: ø' });
  });

  test('a request naming a vocabulary that is gone is refused, and reopened without it instead of failing', async () => {
    vocabularies.on(GetVocabularyCommand).resolves({ VocabularyName: NAME, VocabularyState: 'READY' });
    plans.push('accept', new BadRequestException({ message: 'The vocabulary was not found', $metadata: {} }));
    const stream = await openStream(withVocabularies({ reopenAfterMs: 1_000 }));
    await expect(stream.useGlossary!(glossary(1))).resolves.toBe(1);
    await settle();
    await time.advance(1_000);
    expect(requested()).toEqual([undefined, NAME, undefined]);
    await expect(speak(stream, 0, 2)).resolves.toBe('');
    expect(streams).toHaveLength(2);
    expect(streams[1]!.audioBytes()).toEqual(bytesOf(frame(0), frame(1)));
    expect(
      logs.some((l) => l.level === 'warn' && /refused the request naming the session vocabulary/.test(l.message)),
    ).toBe(true);
  });

  test('a glossary with nothing to recognise needs no vocabulary: in effect at once, and an older one is dropped', async () => {
    vocabularies.on(GetVocabularyCommand).resolves({ VocabularyName: NAME, VocabularyState: 'READY' });
    const stream = await openStream(withVocabularies());
    await expect(stream.useGlossary!(glossary(1))).resolves.toBe(1);
    await expect(stream.useGlossary!(glossary(2, [{ term: 'R2D2' }]))).resolves.toBe(2);
    expect(lookups()).toHaveLength(1);
    expect(requested()).toEqual([undefined, NAME, undefined]);
  });

  test('without a vocabulary client the stream applies no glossary and asks nothing', async () => {
    const stream = await openStream();
    await expect(stream.useGlossary!(glossary(1))).resolves.toBeUndefined();
    expect(vocabularies.calls()).toHaveLength(0);
    expect(requested()).toEqual([undefined]);
  });

  test('GetVocabulary answering BadRequestException (no such vocabulary) is asked again later, like one not created yet', async () => {
    vocabularies
      .on(GetVocabularyCommand)
      .rejectsOnce(new VocabularyBadRequestException({ message: "couldn't be found", $metadata: {} }))
      .resolves({ VocabularyName: NAME, VocabularyState: 'READY' });
    const stream = await openStream(withVocabularies());
    await expect(stream.useGlossary!(glossary(1))).resolves.toBeUndefined();
    await time.advance(10_000);
    await speak(stream, 0, 1);
    await endUtterance(stream);
    await speak(stream, 1, 1);
    await endUtterance(stream);
    expect(requested()).toEqual([undefined, NAME]);
  });
});

// Fuzzing the WebSocket protocol and the HTTP API through the real local gateway (ingest alone): random,
// truncated, oversized and replayed frames, binary frames, broken and mistyped JSON, unicode edge cases, random
// HTTP requests. The gateway runs a connection's messages concurrently, as API Gateway may: answers are checked
// as a set, and which frames are stored does not depend on the order they were handled in.
// Every bad input gets a clear error (or the gateway's documented close), nothing crashes or hangs, and a
// well-behaved session streaming in real time the whole time ends up with every frame on Kinesis exactly once.
// Seeded: LLT_FUZZ_SEED=<n> replays a run (fast-check prints the seed and path of any failure).
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CaptionHistory,
  CreatedSession,
  ErrorCode,
  ErrorMessage,
  encodeAudioFrameText,
  SessionDescription,
  toBase64,
} from '@llt/events';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { WebSocket } from 'ws';
import {
  type Expected,
  expectForListener,
  expectForSpeaker,
  fatalInput,
  frameBytes,
  type HttpInput,
  httpInput,
  listenerInput,
  SeqModel,
  survivableInput,
  type WsInput,
} from '../support/fuzz-inputs.ts';
import { readAllRecords } from '../support/kinesis.ts';
import { openSocket, startTestSystem } from '../support/system.ts';
import { waitFor } from '../support/wait.ts';

const SEED = Number(process.env.LLT_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = { speaker: 150, listener: 60, http: 600 };
const GOOD_FRAME_MS = 40;

let system: Awaited<ReturnType<typeof startTestSystem>>;
const runtimeErrors: string[] = [];
const counts: Record<string, number> = {};
const count = (category: string) => {
  counts[category] = (counts[category] ?? 0) + 1;
};
const startedAt = Date.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Session = { sessionId: string; joinCode: string; speakerToken: string };
async function createSession(): Promise<Session> {
  const res = await fetch(`${system.url}/api/sessions`, {
    method: 'POST',
    body: JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es', 'ca'] }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Session;
}

/** A socket and everything it received; unparseable server messages are kept so they fail the test. */
interface Peer {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<number>;
  isOpen: () => boolean;
}
async function connect(url: string): Promise<Peer> {
  const ws = await openSocket(url);
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (data) => {
    try {
      messages.push(JSON.parse(data.toString()));
    } catch {
      messages.push({ type: 'unparseable', raw: data.toString().slice(0, 200) });
    }
  });
  let open = true;
  const closed = new Promise<number>((resolve) =>
    ws.once('close', (code) => {
      open = false;
      resolve(code);
    }),
  );
  return { ws, messages, closed, isOpen: () => open };
}

/** Every error the server sent is a protocol ErrorMessage with a known code and a message saying something. */
function expectClearError(message: Record<string, unknown>) {
  const parsed = ErrorMessage.safeParse(message);
  expect(parsed.success, JSON.stringify(message)).toBe(true);
  expect(ErrorCode.options).toContain(message.code);
  expect(String(message.message).trim().length).toBeGreaterThan(0);
}

/** The answers to inputs, sorted (listeners counts are informational and skipped). */
const answers = (peer: Peer, from: number) =>
  peer.messages
    .slice(from)
    .filter((m) => m.type !== 'listeners')
    .map((m) => (m.type === 'error' ? String(m.code) : String(m.type)))
    .sort();

/**
 * Sends inputs then a `hello`, and checks every input got its one answer (an error, a welcome, or none) and the
 * hello its welcome. A connection's messages may be handled concurrently, so the answers are compared as a set,
 * once as many as expected have come (and a moment more, so an extra one would show). Returns nothing: it asserts.
 */
async function sendAndCheck(
  peer: Peer,
  wires: { data: Uint8Array | string; binary: boolean; category: string }[],
  expected: Expected[],
) {
  const from = peer.messages.length;
  for (const wire of wires) {
    peer.ws.send(wire.data, { binary: wire.binary });
    count(wire.category);
  }
  peer.ws.send(JSON.stringify({ action: 'hello' }));
  const want = [
    ...expected.flatMap((e) => (e.kind === 'error' ? [e.code] : e.kind === 'welcome' ? ['welcome'] : [])),
    'welcome',
  ].sort();
  await waitFor('the answers to a fuzzed sequence', () => answers(peer, from).length >= want.length || !peer.isOpen(), {
    intervalMs: 5,
    detail: () => ({ want, got: answers(peer, from) }),
  });
  await sleep(20);
  expect(peer.isOpen(), 'a survivable input closed the connection').toBe(true);
  expect(answers(peer, from)).toEqual(want);
  for (const m of peer.messages.slice(from)) {
    expect(m.type).not.toBe('unparseable');
    if (m.type === 'error') expectClearError(m);
  }
}

function toWire(input: WsInput, model: SeqModel): { data: Uint8Array; binary: boolean; category: string } {
  const asText = (bytes: Uint8Array) => new Uint8Array(Buffer.from(toBase64(bytes), 'latin1'));
  switch (input.type) {
    case 'frame':
      return {
        data: asText(frameBytes(input, Math.min(0xffff_ffff, model.resolve(input.seq)))),
        binary: false,
        category: input.category,
      };
    case 'bytes':
      return { data: asText(input.data), binary: false, category: input.category };
    case 'binary':
      return { data: input.data, binary: true, category: input.category };
    case 'text':
      // What goes on the wire: ws encodes the string as UTF-8 (a lone surrogate becomes U+FFFD).
      return { data: new Uint8Array(Buffer.from(input.text, 'utf8')), binary: false, category: input.category };
    case 'raw-text':
      return { data: input.data, binary: false, category: input.category };
  }
}

// ----- the well-behaved session streaming in real time throughout -----

const good = {
  session: undefined as Session | undefined,
  peer: undefined as Peer | undefined,
  timer: undefined as NodeJS.Timeout | undefined,
  pcm: [] as Buffer[],
};
function startGoodStream(session: Session, peer: Peer) {
  good.session = session;
  good.peer = peer;
  good.timer = setInterval(() => {
    const seq = good.pcm.length;
    const pcm = Buffer.alloc(16 * GOOD_FRAME_MS * 2);
    for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE(Math.round(3000 * Math.sin((seq * 640 + i) / 5)), i * 2);
    good.pcm.push(pcm);
    peer.ws.send(encodeAudioFrameText(seq, Date.now(), pcm));
  }, GOOD_FRAME_MS);
}

// ----- the fuzzed speaker: one session, reconnecting after the inputs the gateway closes on -----

const fuzz = { session: undefined as Session | undefined, peer: undefined as Peer | undefined, model: new SeqModel() };
async function fuzzSpeaker(): Promise<Peer> {
  if (fuzz.peer?.isOpen()) return fuzz.peer;
  const s = fuzz.session!;
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      fuzz.peer = await connect(`${system.wsUrl}?role=speaker&sessionId=${s.sessionId}&token=${s.speakerToken}`);
      return fuzz.peer;
    } catch (error) {
      // The closed connection's $disconnect runs after its queued messages; until then the seat is taken.
      if ((error as { status?: number }).status !== 409 || Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

beforeAll(async () => {
  // Hundreds of made-up join codes from one address, and hundreds of messages a second on one listener's
  // connection: the rate limits (20 failed joins a minute, 100 messages a second) would answer rate_limited
  // instead of the errors checked here. They have their own unit tests (services/ingest/tests/unit).
  process.env.LLT_JOIN_ATTEMPTS_PER_MINUTE ??= '1000000';
  process.env.LLT_MESSAGES_PER_SECOND ??= '1000000';
  system = await startTestSystem({
    services: [],
    onError: (error, where) => runtimeErrors.push(`${where}: ${String(error)}`),
  });
  const goodSession = await createSession();
  startGoodStream(
    goodSession,
    await connect(`${system.wsUrl}?role=speaker&sessionId=${goodSession.sessionId}&token=${goodSession.speakerToken}`),
  );
  fuzz.session = await createSession();
});

afterAll(async () => {
  clearInterval(good.timer);
  const durationMs = Date.now() - startedAt;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const out = join(dirname(fileURLToPath(import.meta.url)), '../.artifacts/fuzz.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ seed: SEED, runs: RUNS, durationMs, totalInputs: total, perCategory: sortedCounts(), goodSession: goodStats }, null, 2)}\n`,
  );
  console.log(
    `fuzz: ${total} inputs (${Object.keys(counts).length} categories) in ${(durationMs / 1000).toFixed(1)} s, seed ${SEED}; ` +
      `good session: ${goodStats.frames} frames, all stored once, max ${goodStats.maxMs} ms to Kinesis`,
  );
  await system?.stop();
});

const goodStats = { frames: 0, p50Ms: 0, maxMs: 0 };
const sortedCounts = () => Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));

describe('fuzzing the WebSocket protocol', () => {
  test('speaker: every bad input gets a clear error, the connection stays usable, frames are stored once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(survivableInput, { minLength: 1, maxLength: 25 }),
        fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fatalInput }),
        async (inputs, fatal) => {
          const peer = await fuzzSpeaker();
          const wires = inputs.map((input) => toWire(input, fuzz.model));
          // The oracle, in send order (it advances the sequence model for frames the server must store).
          const expected = wires.map((w) => expectForSpeaker(w.data, w.binary, fuzz.model));
          await sendAndCheck(peer, wires, expected);
          if (fatal) {
            // A binary frame (1003), over the gateway's 32 KB frame or 128 KB message limit (1009) or a text frame
            // that is not UTF-8 (1007): the gateway closes this connection, as API Gateway does; nothing reaches the
            // handler. The speaker reconnects next run.
            const wire = toWire(fatal, fuzz.model);
            const exp = expectForSpeaker(wire.data, wire.binary, fuzz.model);
            expect(exp.kind).toBe('close');
            peer.ws.send(wire.data, { binary: wire.binary });
            count(wire.category);
            expect(await peer.closed).toBe(exp.kind === 'close' ? exp.code : -1);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS.speaker },
    );
    // Replayed and duplicate frames were dropped: exactly the frames the model accepted are on the stream, each
    // once (in the order they were handled, which concurrency may have changed).
    const records = (await readAllRecords(system.env.LLT_KINESIS_ENDPOINT!, system.env.LLT_AUDIO_STREAM!)).filter(
      (r) => r.partitionKey === fuzz.session!.sessionId && r.record.header.kind === 'audio',
    );
    const byNumber = (a: number, b: number) => a - b;
    expect(records.map((r) => (r.record.header.kind === 'audio' ? r.record.header.seq : -1)).sort(byNumber)).toEqual(
      [...fuzz.model.accepted].sort(byNumber),
    );
  }, 60_000);

  test('listener: audio and speaker-only actions are refused with not_speaker; hello still works', async () => {
    const session = await createSession();
    const listener = await connect(`${system.wsUrl}?role=listener&code=${session.joinCode}&lang=es`);
    const model = new SeqModel();
    await fc.assert(
      fc.asyncProperty(fc.array(listenerInput, { minLength: 1, maxLength: 15 }), async (inputs) => {
        const wires = inputs.map((input) => toWire(input, model));
        await sendAndCheck(
          listener,
          wires,
          wires.map((w) => expectForListener(w.data)),
        );
        expect(listener.messages.findLast((m) => m.type === 'welcome')).toMatchObject({
          role: 'listener',
          language: 'es',
        });
      }),
      { seed: SEED, numRuns: RUNS.listener },
    );
    listener.ws.close();
  }, 60_000);
});

// ----- HTTP -----

interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}
function send(input: HttpInput): Promise<HttpAnswer> {
  const url = new URL(system.url);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: input.method,
        path: input.path,
        // content-length always when there is a body: Node sends a GET's body unframed otherwise (invalid HTTP).
        headers: {
          ...(input.contentType !== undefined ? { 'content-type': input.contentType } : {}),
          ...(input.body ? { 'content-length': String(input.body.byteLength) } : {}),
        },
        timeout: 5_000,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in 5 s to ${input.method} ${input.path}`)));
    // A body over the gateway's 64 KB limit is answered (413) and the socket closed while we may still write.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(input.body);
  });
}

function malformedEscape(path: string): boolean {
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

function expectHttpAnswer(input: HttpInput, answer: HttpAnswer) {
  const label = `${input.method} ${input.path.slice(0, 200)} → ${answer.status} ${answer.body.slice(0, 300)}`;
  expect(answer.status, label).toBeGreaterThanOrEqual(200);
  expect(answer.status, label).toBeLessThan(500);
  if (input.method === 'HEAD') {
    expect(answer.status, label).toBeGreaterThanOrEqual(400);
    return;
  }
  expect(answer.contentType, label).toContain('application/json');
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  if (answer.status >= 400) {
    expectClearError(body);
    expect(body.type, label).toBe('error');
  } else if (input.category === 'http-create-session') {
    expect(CreatedSession.safeParse(body).success, label).toBe(true);
  } else if (input.category === 'http-join') {
    expect(SessionDescription.safeParse(body).success, label).toBe(true);
  } else if (input.category === 'http-captions') {
    expect(CaptionHistory.safeParse(body).success, label).toBe(true);
  }
  // Regression: a join code that is not valid percent-encoding was a URIError → 500.
  if (input.category === 'http-join' && malformedEscape(input.path)) {
    expect(answer.status, label).toBe(400);
    expect(body.code, label).toBe('invalid_request');
  }
}

async function expectValidRequestsWork() {
  const session = await createSession();
  const join = await fetch(`${system.url}/api/join/${session.joinCode}`);
  expect(join.status).toBe(200);
  expect(await join.json()).toMatchObject({ sessionId: session.sessionId });
  const captions = await fetch(`${system.url}/api/sessions/${session.sessionId}/captions?lang=es&after=-1`);
  expect(captions.status).toBe(200);
  expect(await captions.json()).toEqual({ sessionId: session.sessionId, language: 'es', captions: [] });
  expect((await fetch(`${system.url}/api/languages`)).status).toBe(200);
}

describe('fuzzing the HTTP API', () => {
  test('every bad request is a 4xx with a JSON error body, none hangs, valid requests keep working', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        httpInput(
          () => fuzz.session!.sessionId,
          () => fuzz.session!.joinCode,
        ),
        async (input) => {
          // `/api/..` and the like resolve outside /api/ (to the static apps): not an API request.
          fc.pre(new URL(input.path, 'http://local').pathname.startsWith('/api/'));
          count(input.category);
          expectHttpAnswer(input, await send(input));
          if (++runs % 50 === 0) await expectValidRequestsWork();
        },
      ),
      { seed: SEED, numRuns: RUNS.http },
    );
    await expectValidRequestsWork();
  }, 60_000);

  test('a join code that is not valid percent-encoding is refused with 400 invalid_request (was a 500)', async () => {
    const answer = await send({ category: 'regression', method: 'GET', path: '/api/join/%E0%A4%A' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      type: 'error',
      code: 'invalid_request',
      message: 'The path is not valid percent-encoded UTF-8',
    });
  });
});

test('a static-app path that is not valid percent-encoding is a 400 (was a 500)', async () => {
  const answer = await send({ category: 'regression', method: 'GET', path: '/speaker/%E0%A4%A' });
  expect(answer.status).toBe(400);
});

describe('meanwhile', () => {
  test('the well-behaved session kept streaming: every frame on Kinesis exactly once, nothing crashed', async () => {
    clearInterval(good.timer);
    const peer = good.peer!;
    const sent = good.pcm.length;
    expect(sent).toBeGreaterThan(50);
    // Its welcome's lastSeq says everything it sent was stored.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const from = peer.messages.length;
      peer.ws.send(JSON.stringify({ action: 'hello' }));
      await waitFor('welcome', () => peer.messages.slice(from).some((m) => m.type === 'welcome'), { intervalMs: 5 });
      if (peer.messages.slice(from).find((m) => m.type === 'welcome')?.lastSeq === sent - 1) break;
      if (Date.now() > deadline) throw new Error('the good session never caught up');
      await sleep(100);
    }
    expect(peer.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(peer.isOpen()).toBe(true);

    const records = (await readAllRecords(system.env.LLT_KINESIS_ENDPOINT!, system.env.LLT_AUDIO_STREAM!)).filter(
      (r) => r.partitionKey === good.session!.sessionId && r.record.header.kind === 'audio',
    );
    const seqOf = (r: (typeof records)[number]) => (r.record.header.kind === 'audio' ? r.record.header.seq : -1);
    expect(records.map(seqOf).sort((a, b) => a - b)).toEqual(Array.from({ length: sent }, (_, i) => i));
    for (const r of records) expect(Buffer.from(r.record.pcm).equals(good.pcm[seqOf(r)]!)).toBe(true);
    // From the client's send to Kinesis: the fuzzing next door must not stall this session.
    const delays = records
      .map((r) => r.arrivedAt - (r.record.header.kind === 'audio' ? r.record.header.captureTime : 0))
      .sort((a, b) => a - b);
    Object.assign(goodStats, {
      frames: sent,
      p50Ms: Math.round(delays[Math.floor(delays.length / 2)]!),
      maxMs: Math.round(delays.at(-1)!),
    });
    expect(goodStats.maxMs).toBeLessThan(5_000);

    // Nothing reached the runtime's error handler (a handler crash) and every process-level counter agrees.
    expect(runtimeErrors).toEqual([]);
    expect(system.gateway.stats.handlerErrors).toBe(0);
    expect((await fetch(`${system.url}/healthz`)).status).toBe(200);
  }, 30_000);
});

describe('caption history (notify)', () => {
  // A malformed escape in the session id was a URIError → 500; it is the client's mistake.
  test('GET /api/sessions/%ZZ/captions is answered with 400 invalid_request', async () => {
    const answer = await send({ category: 'regression', method: 'GET', path: '/api/sessions/%ZZ/captions?lang=es' });
    expect(answer.status).toBe(400);
  });
});

// Benchmark: the system under many listeners. Scenario `one-big`: one session, N listeners (default 1,000) spread
// round-robin over the target languages; scenario `many`: S sessions (default 8) with P listeners each (default 50).
// In every session a speaker streams utterances of the flite corpus at real time. Each scenario gets its own
// freshly spawned server process, so its CPU and peak RSS are that scenario's alone.
//
// Per listener: expected = every segment the session finalized (TranscriptFinalized on the bus) as a source final
// caption, a translated caption and an audio message in the listener's language; received, missing, duplicated,
// out of order (segmentIndex lower than one already received of the same kind), wrong language, unexpected (a
// segment the bus never finalized for the session). Delivery delay = listener receipt − the TranscriptFinalized
// event's occurredAt (same machine, same clock), p50/p99/max per kind. Also how far recognition lags real time
// (occurredAt − capture end of the utterance's last voiced audio), and the server's CPU, peak RSS and event-loop
// delay from GET /internal/stats. Missing any target does not fail the run; only failing to run does.
//
// Admission: the server admits a session only while its recognisers can keep every session in real time. Sessions
// are created one after another once the transcription worker has reported its capacity; a creation or a speaker's
// connection refused with `at_capacity` is recorded with what the refusal said, that session is not streamed, and
// the bus is checked for anything it started. Per admitted session: recognition lag at each final (bench) and the
// worker's per-second frame lag (GET /internal/stats), p50/p99/max.
//
//   npm run bench:load -- [--scenario one-big|many|both] [--listeners 1000] [--sessions 8 --per-session 50]
//                         [--utterances 6] [--langs es,ca,gl,eo] [--corpus DIR] [--gap-ms 1500] [--frame-ms 100]
//                         [--batch 50] [--settle-ms 5000] [--out bench-results/load.json]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createSession, SpeakerClient } from '@llt/cli';
import { ApiError, HandshakeRefusedError } from '@llt/client';
import type { CapacityReport } from '@llt/events';
import { generateCorpus } from '../corpus/generate.ts';
import { type EventTap, type ObservedEvent, tapEvents } from '../support/bus-events.ts';
import { type LoadedUtterance, loadUtterances, readCorpusDir } from '../support/corpus.ts';
import { type LeanKind, LeanListener } from '../support/lean-listener.ts';
import { percentile } from '../support/percentile.ts';
import { type ServerStats, type SpawnedSystem, spawnSystem } from '../support/spawn.ts';
import { buildTimeline } from '../support/timeline.ts';

const USAGE =
  'usage: npm run bench:load -- [--scenario one-big|many|both] [--listeners 1000] [--sessions 8] [--per-session 50]' +
  ' [--utterances 6] [--langs es,ca,gl,eo] [--corpus DIR] [--gap-ms 1500] [--frame-ms 100] [--batch 50]' +
  ' [--settle-ms 5000] [--out FILE.json]';

const values = (() => {
  try {
    return parseArgs({
      options: {
        scenario: { type: 'string', default: 'both' },
        listeners: { type: 'string', default: '1000' },
        sessions: { type: 'string', default: '8' },
        'per-session': { type: 'string', default: '50' },
        utterances: { type: 'string', default: '6' },
        langs: { type: 'string', default: 'es,ca,gl,eo' },
        corpus: { type: 'string' },
        'gap-ms': { type: 'string', default: '1500' },
        'frame-ms': { type: 'string', default: '100' },
        /** Listeners connected at a time. */
        batch: { type: 'string', default: '50' },
        /** After the stream, how long without any message before the late ones are given up on. */
        'settle-ms': { type: 'string', default: '5000' },
        out: { type: 'string', default: 'bench-results/load.json' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`load benchmark could not run: ${(error as Error).message}\n${USAGE}`);
    process.exit(1);
  }
})();

const KINDS: readonly LeanKind[] = ['source', 'translation', 'audio'];
const LABELS: Record<LeanKind, string> = {
  source: 'source caption (final)',
  translation: 'translated caption',
  audio: 'translated audio',
};
const GENERATED_CORPUS_DIR = '.llt/corpus';
/** However busy the system stays, the wait for late messages ends this long after the stream. */
const MAX_SETTLE_MS = 120_000;

const langs = values.langs
  .split(',')
  .map((l) => l.trim())
  .filter(Boolean);
const num = (name: keyof typeof values) => Number(values[name]);
const opts = {
  listeners: num('listeners'),
  sessions: num('sessions'),
  perSession: num('per-session'),
  utterances: num('utterances'),
  gapMs: num('gap-ms'),
  frameMs: num('frame-ms'),
  batch: num('batch'),
  settleMs: num('settle-ms'),
};

function optionProblem(): string | undefined {
  if (!['one-big', 'many', 'both'].includes(values.scenario)) return '--scenario must be one-big, many or both';
  if (!langs.length) return '--langs names no language';
  for (const name of ['listeners', 'sessions', 'per-session', 'utterances', 'batch'] as const) {
    const v = num(name);
    if (!Number.isInteger(v) || v < 1) return `--${name} must be a positive integer`;
  }
  for (const name of ['gap-ms', 'frame-ms', 'settle-ms'] as const) {
    const v = num(name);
    if (!Number.isFinite(v) || v < 0) return `--${name} must be a number ≥ 0`;
  }
  return undefined;
}

type CorpusItem = { name: string; text: string };

async function loadCorpus(): Promise<LoadedUtterance<CorpusItem>[]> {
  if (values.corpus) {
    const { entries } = readCorpusDir(values.corpus);
    if (!entries.length) throw new Error(`${values.corpus} holds no NAME.wav + NAME.txt pairs`);
    return loadUtterances(values.corpus, entries);
  }
  const corpus = await generateCorpus(GENERATED_CORPUS_DIR, { voices: ['slt', 'rms', 'awb', 'kal16'] });
  return loadUtterances(GENERATED_CORPUS_DIR, corpus.entries);
}

/** The soft limit on open files for this process and (inherited) the spawned server. */
function fileLimit(): number | null {
  try {
    const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
  } catch {
    return null;
  }
}

async function readStats(url: string): Promise<ServerStats | undefined> {
  try {
    const res = await fetch(`${url}/internal/stats`, { signal: AbortSignal.timeout(5_000) });
    return res.ok ? ((await res.json()) as ServerStats) : undefined;
  } catch {
    return undefined;
  }
}

/** The server of the scenario running now, to stop on Ctrl-C. */
let liveSystem: SpawnedSystem | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (x: number) => Math.round(x * 10) / 10;

interface Figures {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}
const figures = (xs: readonly number[]): Figures => ({
  count: xs.length,
  p50: percentile(xs, 50),
  p99: percentile(xs, 99),
  max: percentile(xs, 100),
});

interface SessionRun {
  index: number;
  sessionId: string;
  joinCode: string;
  speakerToken: string;
  utterances: LoadedUtterance<CorpusItem>[];
  listeners: LeanListener[];
  speaker?: SpeakerClient;
  speakerErrors: string[];
  /** The worker's frame lag for this session, one figure per report period (ms). */
  frameLagMs: number[];
  streamMs?: number;
  audioMs?: number;
}

interface Finalized {
  segmentId: string;
  segmentIndex: number;
  occurredAt: number;
  tapAt: number;
  captureEnd: number;
}

async function runScenario(
  name: 'one-big' | 'many',
  sessionCount: number,
  perSession: number,
  corpus: LoadedUtterance<CorpusItem>[],
) {
  const total = sessionCount * perSession;
  console.log(
    `\n=== ${name}: ${sessionCount} session(s) × ${perSession} listener(s) = ${total} listeners over ${langs.join(',')}, ` +
      `${opts.utterances} utterance(s) per speaker ===`,
  );
  const asrMaxSessions = Math.max(8, sessionCount);
  console.log(`starting the local system (LLT_ASR_MAX_SESSIONS=${asrMaxSessions})…`);
  const system: SpawnedSystem = await spawnSystem({ LLT_ASR_MAX_SESSIONS: String(asrMaxSessions) });
  liveSystem = system;
  const url = system.url;
  let tap: EventTap | undefined;
  const runs: SessionRun[] = [];
  const refused: Refusal[] = [];
  const benchLoop = monitorEventLoopDelay({ resolution: 10 });
  benchLoop.enable();
  const benchCpuBefore = process.cpuUsage();
  const benchStart = Date.now();
  try {
    tap = await tapEvents(url);
    const before = await readStats(url);
    const capacityAtStart = await settledCapacityReport(url);
    console.log(`capacity reported by the transcription worker: ${JSON.stringify(capacityAtStart)}`);

    for (let s = 0; s < sessionCount; s++) {
      let created: Awaited<ReturnType<typeof createSession>>;
      try {
        created = await createSession(url, { sourceLanguage: 'en', targetLanguages: langs });
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'at_capacity') throw error;
        refused.push({
          index: s,
          at: 'create',
          status: error.status,
          code: error.code,
          message: error.message,
          retryAfterMs: error.retryAfterMs ?? null,
        });
        continue;
      }
      // Each speaker says a different run of the corpus.
      const utterances = Array.from(
        { length: opts.utterances },
        (_, j) => corpus[(s * opts.utterances + j) % corpus.length]!,
      );
      runs.push({ index: s, ...created, utterances, listeners: [], speakerErrors: [], frameLagMs: [] });
    }
    console.log(`${runs.length} session(s) admitted, ${refused.length} refused at creation`);
    if (!runs.length) throw new Error('no session was admitted');

    let lastActivity = Date.now();
    const onActivity = () => {
      lastActivity = Date.now();
    };
    const all: LeanListener[] = [];
    for (const run of runs) {
      for (let i = 0; i < perSession; i++) {
        const l = new LeanListener(url, run.joinCode, langs[i % langs.length]!, onActivity);
        run.listeners.push(l);
        all.push(l);
      }
    }
    const connectStart = Date.now();
    const connectFailures: string[] = [];
    const connected = new Set<LeanListener>();
    for (let i = 0; i < all.length; i += opts.batch) {
      const batch = all.slice(i, i + opts.batch);
      const results = await Promise.allSettled(batch.map((l) => l.connect()));
      results.forEach((r, j) => {
        if (r.status === 'fulfilled') connected.add(batch[j]!);
        else connectFailures.push((r.reason as Error).message);
      });
    }
    const connectMs = Date.now() - connectStart;
    console.log(
      `${connected.size}/${all.length} listeners connected in ${connectMs} ms` +
        (connectFailures.length ? ` (${connectFailures.length} failed, first: ${connectFailures[0]})` : ''),
    );
    if (!connected.size) throw new Error('no listener could connect');
    const afterConnect = await readStats(url);

    for (const run of [...runs]) {
      run.speaker = new SpeakerClient({
        server: url,
        sessionId: run.sessionId,
        token: run.speakerToken,
        frameMs: opts.frameMs,
        onError: (error) => run.speakerErrors.push(error.message),
        onMessage: (m) => {
          if (m.type === 'error') run.speakerErrors.push(`${m.code}: ${m.message}`);
        },
      });
      try {
        await run.speaker.connect();
      } catch (error) {
        if (!(error instanceof HandshakeRefusedError) || error.code !== 'at_capacity') throw error;
        refused.push({
          index: run.index,
          at: 'connect',
          sessionId: run.sessionId,
          status: error.status,
          code: error.code,
          message: error.message,
          retryAfterMs: error.retryAfterMs ?? null,
        });
        runs.splice(runs.indexOf(run), 1);
        await Promise.allSettled(run.listeners.map((l) => l.close()));
        for (const l of run.listeners) connected.delete(l);
      }
    }
    console.log(`streaming ${runs.length} speaker(s) at real time…`);
    const streamStart = Date.now();
    const lagPoll = setInterval(() => {
      void readStats(url).then((stats) => {
        for (const w of stats?.transcription ?? []) {
          if (!w.report || w.report.updatedAt === lastLagReport.get(w.workerId)) continue;
          lastLagReport.set(w.workerId, w.report.updatedAt);
          capacityReports.push(w.report);
          for (const s of w.sessions ?? []) {
            if (s.audioMs > 0) runs.find((r) => r.sessionId === s.sessionId)?.frameLagMs.push(s.lagMs);
          }
        }
      });
    }, 500);
    const lastLagReport = new Map<string, number>();
    const capacityReports: CapacityReport[] = [];
    await Promise.all(
      runs.map(async (run) => {
        const { audio } = buildTimeline(run.utterances, opts.gapMs);
        run.audioMs = audio.length / 16;
        const t0 = Date.now();
        await run.speaker!.streamRealtime(audio);
        await run.speaker!.drain();
        run.streamMs = Date.now() - t0;
      }),
    );
    const streamEnd = Date.now();
    clearInterval(lagPoll);

    const finalizedBySession = () => {
      const by = new Map<string, Map<string, Finalized>>(runs.map((r) => [r.sessionId, new Map()]));
      for (const e of tap!.events) {
        if (e.detailType !== 'TranscriptFinalized') continue;
        const m = by.get(e.detail.sessionId as string);
        const segmentId = e.detail.segmentId as string;
        if (!m || m.has(segmentId)) continue;
        m.set(segmentId, {
          segmentId,
          segmentIndex: e.detail.segmentIndex as number,
          occurredAt: e.detail.occurredAt as number,
          tapAt: e.receivedAt,
          captureEnd: (e.detail.capture as { end: number }).end,
        });
      }
      return by;
    };
    const complete = () => {
      const by = finalizedBySession();
      return runs.every((run) => {
        const segs = [...by.get(run.sessionId)!.keys()];
        return run.listeners.every((l) => !connected.has(l) || segs.every((id) => KINDS.every((k) => l.has(k, id))));
      });
    };
    const lastFinalizedAt = () => {
      let t = 0;
      for (const e of tap!.events) if (e.detailType === 'TranscriptFinalized') t = Math.max(t, e.receivedAt);
      return t;
    };
    // The server has stored every frame once no speaker keeps any for resending (acknowledged every 5 s).
    let caughtUpAt: number | undefined;
    const caughtUp = () => {
      if (caughtUpAt === undefined && runs.every((r) => r.speaker!.stats.bufferedFrames === 0)) caughtUpAt = Date.now();
      return caughtUpAt !== undefined;
    };
    /**
     * Until the server has stored all the audio, everyone has everything and nothing new was finalized for a
     * second; or nothing arrived for settle-ms after the server caught up; or MAX_SETTLE_MS.
     */
    const settle = async (from: number) => {
      for (;;) {
        const now = Date.now();
        const stored = caughtUp();
        if (stored && complete() && now - lastFinalizedAt() > 1_000 && now - from > 1_000) return 'complete';
        if (stored && now - Math.max(lastActivity, from, caughtUpAt!) > opts.settleMs) return 'idle';
        if (now - from > MAX_SETTLE_MS) return 'timeout';
        await sleep(100);
      }
    };
    const settledStream = await settle(streamEnd);
    const endAt = Date.now();
    await Promise.all(
      runs.map((run) =>
        run.speaker!.end(MAX_SETTLE_MS).catch((error: Error) => run.speakerErrors.push(`end: ${error.message}`)),
      ),
    );
    const settledEnd = await settle(endAt);
    await Promise.race([
      Promise.all(
        all.map(async (l) => {
          while (connected.has(l) && !l.sessionEnded && !l.closed) await sleep(50);
        }),
      ),
      sleep(3_000),
    ]);
    const after = await readStats(url);
    benchLoop.disable();
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const benchWallMs = Date.now() - benchStart;

    const result = analyse(runs, finalizedBySession(), tap.events, connected);
    const server = serverFigures(before, afterConnect, after);
    // Nothing may have started for a refused session: the ones refused at creation do not exist (no event names a
    // session the bench was never given); one refused at connect has no audio, transcript or translation.
    const refusedIds = new Set(refused.map((r) => r.sessionId).filter(Boolean));
    const startedForRefused = tap.events.filter(
      (e) =>
        refusedIds.has(e.detail.sessionId as string) &&
        e.detailType !== 'SessionStarted' &&
        !/^Listener/.test(e.detailType),
    ).length;
    const knownIds = new Set([...runs.map((r) => r.sessionId), ...refusedIds]);
    const strangers = new Set(
      tap.events.map((e) => e.detail.sessionId as string).filter((id) => id && !knownIds.has(id)),
    ).size;
    return {
      scenario: name,
      sessions: sessionCount,
      listenersPerSession: perSession,
      listeners: total,
      connected: connected.size,
      connectFailures: { count: connectFailures.length, first: connectFailures.slice(0, 5) },
      connectMs,
      asrMaxSessions,
      admission: {
        capacityAtStart,
        admitted: runs.length,
        refused,
        /** Events for a refused session beyond its own SessionStarted/listeners (should be 0). */
        eventsForRefusedSessions: startedForRefused,
        /** Sessions on the bus the bench never created or was refused (should be 0). */
        sessionsNotCreatedByBench: strangers,
        /** Per admitted session: lag at each final (bench) and the worker's frame lag per period (server). */
        lagBySession: runs.map((r) => {
          const fin = [...(finalizedBySession().get(r.sessionId)?.values() ?? [])];
          return {
            session: r.index,
            finalLagMs: figures(fin.map((f) => f.occurredAt - f.captureEnd)),
            frameLagMs: figures(r.frameLagMs),
            /** Each final in order: its segment, when (ms after the stream began) and its lag. */
            finals: fin
              .sort((x, y) => x.segmentIndex - y.segmentIndex)
              .map((f) => ({
                segmentIndex: f.segmentIndex,
                atMs: f.occurredAt - streamStart,
                lagMs: f.occurredAt - f.captureEnd,
              })),
            /** The worker's frame lag, one figure per report period, in order. */
            frameLagSeriesMs: r.frameLagMs,
          };
        }),
        frameLagMs: figures(runs.flatMap((r) => r.frameLagMs)),
        capacityReports: capacityReports.slice(-5),
      },
      settle: { afterStream: settledStream, afterEnd: settledEnd },
      /** From the end of the stream until the server had stored every frame (null: it never did). */
      serverCaughtUpMs: caughtUpAt === undefined ? null : caughtUpAt - streamEnd,
      speakers: runs.map((r) => ({
        session: r.index,
        sessionId: r.sessionId,
        utterances: r.utterances.map((u) => u.entry.name),
        audioMs: Math.round(r.audioMs ?? 0),
        streamMs: r.streamMs ?? null,
        stats: r.speaker?.stats ?? null,
        errors: r.speakerErrors.slice(0, 10),
      })),
      ...result,
      server,
      bench: {
        cpuPercentOfOneCore: round1(((benchCpu.user + benchCpu.system) / 1000 / benchWallMs) * 100),
        rssMb: Math.round(process.memoryUsage().rss / 1e6),
        eventLoopDelayMs: {
          p50: round1(benchLoop.percentile(50) / 1e6),
          p99: round1(benchLoop.percentile(99) / 1e6),
          max: round1(benchLoop.max / 1e6),
        },
      },
    };
  } finally {
    benchLoop.disable();
    tap?.close();
    await Promise.allSettled(runs.flatMap((r) => r.listeners.map((l) => l.close())));
    await Promise.allSettled(runs.map((r) => r.speaker?.close()));
    // What the server logged (warnings and errors: failed deliveries, retries), to explain a missing message.
    writeFileSync(`${values.out.replace(/\.json$/, '')}-${name}.server.log`, system.output());
    await system.stop();
    liveSystem = undefined;
  }
}

/** A session the server would not admit, and what it said. */
interface Refusal {
  index: number;
  at: 'create' | 'connect';
  sessionId?: string;
  status: number;
  code: string;
  message: string;
  retryAfterMs: number | null;
}

/**
 * The transcription worker's capacity report once the system has settled after its start (engines warmed, the
 * process near idle for 3 s, at most 60 s): speakers arrive at a running system, not one still loading its engines.
 */
async function settledCapacityReport(url: string): Promise<CapacityReport | null> {
  const deadline = Date.now() + 60_000;
  let report: CapacityReport | undefined;
  let quietSince: number | undefined;
  while (Date.now() < deadline) {
    report = (await readStats(url))?.transcription?.find((w) => w.report)?.report ?? report;
    if (report && (report.busyCores ?? 0) < 0.3) {
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= 3_000) return report;
    } else quietSince = undefined;
    await sleep(500);
  }
  return report ?? null;
}

type Count = {
  expected: number;
  received: number;
  missing: number;
  duplicated: number;
  outOfOrder: number;
  wrongLanguage: number;
  unexpected: number;
};

function analyse(
  runs: readonly SessionRun[],
  finalized: Map<string, Map<string, Finalized>>,
  events: readonly ObservedEvent[],
  connected: ReadonlySet<LeanListener>,
) {
  const delays = new Map<string, number[]>(); // `${kind}` and `${kind}:${lang}`
  const push = (key: string, v: number) => {
    const xs = delays.get(key);
    if (xs) xs.push(v);
    else delays.set(key, [v]);
  };
  const blank = (): Count => ({
    expected: 0,
    received: 0,
    missing: 0,
    duplicated: 0,
    outOfOrder: 0,
    wrongLanguage: 0,
    unexpected: 0,
  });
  const counts = Object.fromEntries(KINDS.map((k) => [k, blank()])) as Record<LeanKind, Count>;
  let partials = 0;
  let dropped = 0;
  let listenerErrors = 0;
  const firstErrors: string[] = [];
  let listenersComplete = 0;
  for (const run of runs) {
    const segs = finalized.get(run.sessionId)!;
    for (const l of run.listeners) {
      if (!connected.has(l)) continue;
      partials += l.partials;
      if (l.dropped) dropped++;
      listenerErrors += l.errors.length;
      if (firstErrors.length < 5) firstErrors.push(...l.errors.slice(0, 5 - firstErrors.length));
      const highest: Record<LeanKind, number> = { source: -1, translation: -1, audio: -1 };
      const seen = new Set<string>();
      for (const a of l.arrivals) {
        const c = counts[a.kind];
        if (a.segmentIndex < highest[a.kind]) c.outOfOrder++;
        highest[a.kind] = Math.max(highest[a.kind], a.segmentIndex);
        if (a.kind !== 'source' && a.language !== l.language) c.wrongLanguage++;
        const key = `${a.kind}:${a.segmentId}`;
        if (seen.has(key)) continue; // counted as a duplicate below
        seen.add(key);
        const f = segs.get(a.segmentId);
        if (!f) {
          c.unexpected++;
          continue;
        }
        const ms = a.receivedAt - f.occurredAt;
        push(a.kind, ms);
        push(`${a.kind}:${l.language}`, ms);
      }
      let all = true;
      for (const k of KINDS) {
        const c = counts[k];
        for (const id of segs.keys()) {
          c.expected++;
          if (l.has(k, id)) c.received++;
          else {
            c.missing++;
            all = false;
          }
        }
        for (const [key, n] of l.copies) if (key.startsWith(`${k}:`)) c.duplicated += n - 1;
      }
      if (all) listenersComplete++;
    }
  }
  const finals = [...finalized.values()].flatMap((m) => [...m.values()]);
  const busCounts = events
    .filter((e) => runs.some((r) => r.sessionId === e.detail.sessionId))
    .reduce<Record<string, number>>((acc, e) => {
      acc[e.detailType] = (acc[e.detailType] ?? 0) + 1;
      return acc;
    }, {});
  return {
    segmentsFinalized: finals.length,
    segmentsPerSession: runs.map((r) => finalized.get(r.sessionId)!.size),
    busEvents: busCounts,
    /** How far behind real time recognition ran: occurredAt − capture end of the last voiced audio. */
    recognitionLagMs: figures(finals.map((f) => f.occurredAt - f.captureEnd)),
    /** The bench's own view of the bus: tap receipt − occurredAt. */
    busTapLagMs: figures(finals.map((f) => f.tapAt - f.occurredAt)),
    deliveryMs: Object.fromEntries(KINDS.map((k) => [k, figures(delays.get(k) ?? [])])) as Record<LeanKind, Figures>,
    deliveryByLanguageMs: Object.fromEntries(
      langs.map((lang) => [lang, Object.fromEntries(KINDS.map((k) => [k, figures(delays.get(`${k}:${lang}`) ?? [])]))]),
    ),
    counts,
    listenersComplete,
    listenersDropped: dropped,
    listenerErrors,
    firstListenerErrors: firstErrors,
    sourcePartialsReceived: partials,
  };
}

function serverFigures(
  before: ServerStats | undefined,
  afterConnect: ServerStats | undefined,
  after: ServerStats | undefined,
) {
  if (!after || !before) return { available: false as const };
  const cpu = (s: ServerStats) => s.process.cpuUserMs + s.process.cpuSystemMs;
  const pct = (a: ServerStats, b: ServerStats) =>
    round1(((cpu(b) - cpu(a)) / Math.max(1, b.process.uptimeMs - a.process.uptimeMs)) * 100);
  const hopsMs = Object.fromEntries(Object.entries(after.histograms ?? {}).filter(([n]) => /Ms$|Rtf|rtf/.test(n)));
  return {
    available: true as const,
    /** From before the first listener connected to the end (100 % = one core; the machine has `cpus`). */
    cpuPercentOfOneCore: pct(before, after),
    cpuPercentOfOneCoreWhileStreaming: afterConnect ? pct(afterConnect, after) : null,
    rssMbAtEnd: Math.round(after.process.rssBytes / 1e6),
    peakRssMb: Math.round(after.process.maxRssBytes / 1e6),
    /** Since the server process started. */
    eventLoopDelayMs: after.eventLoopDelayMs,
    hopsMs,
    counters: after.counters,
  };
}

type ScenarioResult = Awaited<ReturnType<typeof runScenario>>;

function printScenario(r: ScenarioResult) {
  const cell = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(v));
  const a = r.admission;
  console.log(
    `\nadmission: ${a.admitted} admitted, ${a.refused.length} refused` +
      (a.refused.length
        ? ` (${a.refused.map((x) => `#${x.index} at ${x.at}: ${x.status} ${x.code}, retry after ${x.retryAfterMs} ms`).join('; ')}); first said: "${a.refused[0]!.message}"`
        : '') +
      ` | events for refused sessions ${a.eventsForRefusedSessions}, sessions the bench did not create ${a.sessionsNotCreatedByBench}`,
  );
  console.log(
    `recognition lag per admitted session, at each final p50/p99/max | worker frame lag per second p50/p99/max (ms): ` +
      a.lagBySession
        .map(
          (l) =>
            `#${l.session} ${cell(l.finalLagMs.p50)}/${cell(l.finalLagMs.p99)}/${cell(l.finalLagMs.max)} | ${cell(l.frameLagMs.p50)}/${cell(l.frameLagMs.p99)}/${cell(l.frameLagMs.max)}`,
        )
        .join('; ') +
      ` — all sessions' frame lag p50 ${cell(a.frameLagMs.p50)} p99 ${cell(a.frameLagMs.p99)} max ${cell(a.frameLagMs.max)}`,
  );
  console.log(
    `\n${r.scenario}: ${r.sessions} session(s) × ${r.listenersPerSession} = ${r.listeners} listeners ` +
      `(${r.connected} connected in ${r.connectMs} ms), ${r.segmentsFinalized} segments finalized ` +
      `(per session ${r.segmentsPerSession.join(',')}), listeners with everything: ${r.listenersComplete}/${r.connected}`,
  );
  console.log('delivery delay = listener receipt − TranscriptFinalized.occurredAt, ms:');
  const header = ['kind', 'expected', 'received', 'missing', 'dup', 'out-of-order', 'wrong-lang', 'p50', 'p99', 'max'];
  const table: string[][] = [header];
  for (const k of KINDS) {
    const c = r.counts[k];
    const d = r.deliveryMs[k];
    table.push([
      LABELS[k],
      String(c.expected),
      String(c.received),
      String(c.missing),
      String(c.duplicated),
      String(c.outOfOrder),
      k === 'source' ? '' : String(c.wrongLanguage),
      cell(d.p50),
      cell(d.p99),
      cell(d.max),
    ]);
  }
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const row of table) {
    console.log(
      row
        .map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    );
  }
  console.log(
    `by language (p50/p99 ms): ` +
      Object.entries(r.deliveryByLanguageMs)
        .map(
          ([lang, byKind]) =>
            `${lang} ${KINDS.map((k) => `${k} ${cell(byKind[k]!.p50)}/${cell(byKind[k]!.p99)}`).join(', ')}`,
        )
        .join(' | '),
  );
  const unexpected = KINDS.reduce((n, k) => n + r.counts[k].unexpected, 0);
  console.log(
    `recognition lag behind real time (occurredAt − capture end) p50 ${cell(r.recognitionLagMs.p50)} p99 ` +
      `${cell(r.recognitionLagMs.p99)} max ${cell(r.recognitionLagMs.max)} ms | bus tap lag p50 ${cell(r.busTapLagMs.p50)} ` +
      `max ${cell(r.busTapLagMs.max)} ms | bus: ${JSON.stringify(r.busEvents)}`,
  );
  console.log(
    `listeners: dropped ${r.listenersDropped}, errors ${r.listenerErrors}${r.firstListenerErrors.length ? ` (${r.firstListenerErrors[0]})` : ''}, ` +
      `messages for unfinalized segments ${unexpected}, source partials ${r.sourcePartialsReceived} | speakers: stream ` +
      `${r.speakers.map((s) => `${s.streamMs}/${s.audioMs}`).join(' ')} ms (wall/audio), errors ` +
      `${r.speakers.reduce((n, s) => n + s.errors.length, 0)}, frames resent ${r.speakers.reduce((n, s) => n + (s.stats?.framesResent ?? 0), 0)} | ` +
      `settle: ${r.settle.afterStream}/${r.settle.afterEnd}, server stored all audio ${cell(r.serverCaughtUpMs)} ms after the stream`,
  );
  const s = r.server;
  if (s.available) {
    const e = s.eventLoopDelayMs;
    console.log(
      `server: CPU ${s.cpuPercentOfOneCore}% of one core (${s.cpuPercentOfOneCoreWhileStreaming}% while streaming; ` +
        `${cpus().length} cores), peak RSS ${s.peakRssMb} MB (RSS at end ${s.rssMbAtEnd} MB), event-loop delay ` +
        `p50 ${e.p50.toFixed(1)} / p99 ${e.p99.toFixed(1)} / max ${e.max.toFixed(1)} ms`,
    );
    for (const [name, h] of Object.entries(s.hopsMs)) {
      const f = (v: number | null) => (v === null ? '–' : String(Math.round(v * 100) / 100));
      console.log(
        `  ${name.padEnd(40)} n ${String(h.count).padStart(6)}  p50 ${f(h.p50)}  p99 ${f(h.p99)}  max ${f(h.max)}`,
      );
    }
  } else {
    console.log('server: GET /internal/stats not available');
  }
  const b = r.bench;
  console.log(
    `bench process (listeners + speakers): CPU ${b.cpuPercentOfOneCore}% of one core, RSS ${b.rssMb} MB, ` +
      `event-loop delay p50 ${b.eventLoopDelayMs.p50} / p99 ${b.eventLoopDelayMs.p99} / max ${b.eventLoopDelayMs.max} ms`,
  );
}

async function main() {
  const problem = optionProblem();
  if (problem) throw new Error(`${problem}\n${USAGE}`);
  const corpus = await loadCorpus();
  const scenarios: { name: 'one-big' | 'many'; sessions: number; perSession: number }[] = [];
  if (values.scenario !== 'many') scenarios.push({ name: 'one-big', sessions: 1, perSession: opts.listeners });
  if (values.scenario !== 'one-big') {
    scenarios.push({ name: 'many', sessions: opts.sessions, perSession: opts.perSession });
  }
  const limit = fileLimit();
  const needed = Math.max(...scenarios.map((s) => s.sessions * (s.perSession + 1))) + 256;
  console.log(
    `load benchmark: ${corpus.length} corpus utterances, ${cpus().length} CPU(s), open-file limit ${limit ?? 'unknown'} ` +
      `(about ${needed} needed per process)`,
  );
  if (limit !== null && limit < needed) {
    console.warn(`warning: the open-file limit ${limit} is below ${needed}: raise it (ulimit -n) or expect refusals`);
  }
  const results: ScenarioResult[] = [];
  process.once('SIGINT', () => {
    void (liveSystem ? liveSystem.stop() : Promise.resolve()).finally(() => process.exit(130));
  });
  for (const s of scenarios) {
    const r = await runScenario(s.name, s.sessions, s.perSession, corpus);
    printScenario(r);
    results.push(r);
  }
  const out = {
    benchmark: 'load',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, openFileLimit: limit },
    config: { ...opts, langs, scenario: values.scenario, corpus: values.corpus ?? GENERATED_CORPUS_DIR },
    delayBase: 'TranscriptFinalized detail.occurredAt (server clock = bench clock: same machine)',
    scenarios: results,
  };
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwritten to ${values.out}`);
  // Whatever a stuck socket may hold open, the run is over.
  setTimeout(() => process.exit(), 5_000).unref();
}

try {
  await main();
} catch (error) {
  console.error(`load benchmark could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

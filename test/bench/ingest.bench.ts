// Benchmark: N speakers stream at real time for S seconds into the local system (run as its own process).
// Reports the server-side delay from frame received to Kinesis put acknowledged (p50/p95/p99/max), what a speaker
// costs (bytes a second on the wire as the gateway received them, server CPU per frame), the server process's CPU
// and RSS, and checks on the stream that every frame landed exactly once (and how many sessions' frames are also
// in stream order, which is not promised: API Gateway may run a connection's frames concurrently).
//
//   npm run bench:ingest -- [--sessions 20] [--seconds 60] [--frame-ms 20] [--lockstep] [--out bench-results/ingest.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { createSession, SpeakerClient } from '@llt/cli';
import { audioFrames, readAllRecords } from '../support/kinesis.ts';
import { spawnSystem } from '../support/spawn.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    'frame-ms': { type: 'string', default: '20' },
    out: { type: 'string', default: 'bench-results/ingest.json' },
    /** Start every speaker at the same instant, so their frames arrive in bursts (worst case). */
    lockstep: { type: 'boolean', default: false },
  },
});
const sessions = Number(values.sessions);
const seconds = Number(values.seconds);
const frameMs = Number(values['frame-ms']);

/** Speech-like test signal: a few harmonics under a syllable-rate envelope, different per session. */
function signal(seconds: number, variant: number): Int16Array {
  const out = new Int16Array(seconds * 16_000);
  const f0 = 110 + variant * 7;
  for (let i = 0; i < out.length; i++) {
    const t = i / 16_000;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    const voice =
      Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(4 * Math.PI * f0 * t) + 0.25 * Math.sin(6 * Math.PI * f0 * t);
    out[i] = Math.round(6000 * envelope * voice);
  }
  return out;
}

console.log(`ingest benchmark: ${sessions} sessions × ${seconds} s at real time, ${frameMs} ms frames`);
// LLT_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=prof") profiles the server process.
const system = await spawnSystem(
  { LLT_SERVICES: 'ingest' },
  process.env.LLT_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
);
try {
  const env = await system.env();
  const before = await system.stats();
  const wallStart = performance.now();

  const speakers = await Promise.all(
    Array.from({ length: sessions }, async (_, i) => {
      const session = await createSession(system.url, { sourceLanguage: 'en', targetLanguages: ['es'] });
      const errors: string[] = [];
      const client = new SpeakerClient({
        server: system.url,
        sessionId: session.sessionId,
        token: session.speakerToken,
        frameMs,
        onMessage: (m) => {
          if (m.type === 'error') errors.push(`${m.code}: ${m.message}`);
        },
      });
      await client.connect();
      return { session, client, errors, samples: signal(seconds, i) };
    }),
  );
  // Independent speakers do not send in lockstep: spread their start over one frame interval.
  const results = await Promise.all(
    speakers.map(async (s, i) => {
      if (!values.lockstep) await new Promise((r) => setTimeout(r, (i * frameMs) / sessions));
      return s.client.streamRealtime(s.samples);
    }),
  );
  await Promise.all(speakers.map((s) => s.client.drain()));
  const framesSent = results.reduce((n, r) => n + r.frames, 0);

  // The server finishes what is in flight; then read its figures.
  let after = await system.stats();
  const deadline = Date.now() + 30_000;
  while ((after.counters['ingest.FramesStored'] ?? 0) < framesSent && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    after = await system.stats();
  }
  const wallMs = performance.now() - wallStart;

  const records = await readAllRecords(env.LLT_KINESIS_ENDPOINT!, env.LLT_AUDIO_STREAM!);
  const perSession = speakers.map(({ session }, i) => {
    const inStreamOrder = records
      .filter((r) => r.partitionKey === session.sessionId && r.record.header.kind === 'audio')
      .map((r) => (r.record.header.kind === 'audio' ? r.record.header.seq : -1));
    const { seqs } = audioFrames(records, session.sessionId);
    const expected = results[i]!.frames;
    const exactlyOnce = seqs.length === expected && seqs.every((s, k) => s === k);
    const inOrder = exactlyOnce && inStreamOrder.every((s, k) => s === k);
    return { sessionId: session.sessionId, framesSent: expected, framesOnStream: seqs.length, exactlyOnce, inOrder };
  });
  for (const s of speakers) s.client.close();

  const latency = after.histograms['ingest.FrameToStreamMs'];
  const cpuMs =
    after.process.cpuUserMs + after.process.cpuSystemMs - (before.process.cpuUserMs + before.process.cpuSystemMs);
  const bytesIn = (after.counters['gateway.BytesReceived'] ?? 0) - (before.counters['gateway.BytesReceived'] ?? 0);
  const summary = {
    benchmark: 'ingest',
    at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    config: { sessions, seconds, frameMs, lockstep: values.lockstep },
    frames: {
      sent: framesSent,
      stored: after.counters['ingest.FramesStored'] ?? 0,
      onStream: perSession.reduce((n, s) => n + s.framesOnStream, 0),
      duplicatesDropped: after.counters['ingest.FramesDuplicate'] ?? 0,
      outOfOrder: after.counters['ingest.FramesOutOfOrder'] ?? 0,
      skipped: after.counters['ingest.FramesSkipped'] ?? 0,
      sessionsExactlyOnce: perSession.filter((s) => s.exactlyOnce).length,
      sessionsAlsoInStreamOrder: perSession.filter((s) => s.inOrder).length,
      clientErrors: speakers.flatMap((s) => s.errors).slice(0, 10),
    },
    frameReceivedToStreamAckMs: latency,
    stagesMs: {
      queuedBehindEarlierFrames: after.histograms['ingest.FrameQueueMs'],
      sequenceClaimDynamoDb: after.histograms['ingest.FrameClaimMs'],
      kinesisPut: after.histograms['ingest.FramePutMs'],
    },
    perSpeaker: {
      // Everything the gateway received (frames, hellos, WebSocket framing) over the streaming time.
      wireBytesPerSecond: Math.round(bytesIn / sessions / seconds),
      wireBytesPerFrame: Math.round(bytesIn / framesSent),
    },
    server: {
      cpuPercentOfOneCore: Math.round((cpuMs / wallMs) * 1000) / 10,
      cpuMsPerFrame: Math.round((cpuMs / framesSent) * 1000) / 1000,
      rssMb: Math.round(after.process.rssBytes / 1e6),
      peakRssMb: Math.round(after.process.maxRssBytes / 1e6),
      eventLoopDelayMs: after.eventLoopDelayMs,
    },
  };
  console.log(JSON.stringify(summary, null, 2));
  console.log(
    `\nframe received → Kinesis ack: p50 ${latency?.p50} ms, p99 ${latency?.p99} ms, max ${latency?.max} ms` +
      ` | frames ${summary.frames.onStream}/${framesSent} on stream, ${summary.frames.sessionsExactlyOnce}/${sessions}` +
      ` sessions exactly once (${summary.frames.sessionsAlsoInStreamOrder} also in stream order)` +
      ` | ${summary.perSpeaker.wireBytesPerSecond} B/s per speaker on the wire` +
      ` | server CPU ${summary.server.cpuPercentOfOneCore}% of a core, ${summary.server.cpuMsPerFrame} ms per frame, peak RSS ${summary.server.peakRssMb} MB`,
  );
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`written to ${values.out}`);
} finally {
  await system.stop();
}

// A WAV streamed in real time by the CLI speaker lands on the Kinesis audio stream: every frame exactly once,
// in order, byte for byte — also when the speaker's connection drops mid-stream and it reconnects.
import { frameSamplesFor, readWav, SpeakerClient, toMono16k } from '@llt/cli';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { audioFrames, readAllRecords } from '../support/kinesis.ts';
import { speakToWav } from '../support/speech.ts';
import { startTestSystem } from '../support/system.ts';
import { waitFor } from '../support/wait.ts';

let system: Awaited<ReturnType<typeof startTestSystem>>;
let wavPath: string;

beforeAll(async () => {
  // Ingest alone: these tests look at the audio stream, not at what is recognised in it.
  system = await startTestSystem({ services: [] });
  wavPath = speakToWav('Good morning everyone. Thank you for coming to the meeting today.');
});
afterAll(async () => {
  await system?.stop();
});

async function newSession() {
  const res = await fetch(`${system.url}/api/sessions`, {
    method: 'POST',
    body: JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] }),
  });
  return (await res.json()) as { sessionId: string; speakerToken: string };
}

/** The PCM the server must have stored, frame by frame (the last frame padded with silence as the client does). */
function expectedFrames(samples: Int16Array, frameMs: number): Buffer[] {
  const size = frameSamplesFor(frameMs);
  const frames: Buffer[] = [];
  for (let start = 0; start < samples.length; start += size) {
    const chunk = samples.subarray(start, Math.min(samples.length, start + size));
    const padded = new Int16Array(Math.max(chunk.length, frameSamplesFor(20)));
    padded.set(chunk);
    frames.push(Buffer.from(padded.buffer));
  }
  return frames;
}

async function framesOnStream(sessionId: string) {
  return audioFrames(await readAllRecords(system.env.LLT_KINESIS_ENDPOINT!, system.env.LLT_AUDIO_STREAM!), sessionId);
}

test('every frame of a WAV streamed at real time is on Kinesis exactly once, byte for byte', async () => {
  const samples = toMono16k(readWav(wavPath));
  const session = await newSession();
  const speaker = new SpeakerClient({
    server: system.url,
    sessionId: session.sessionId,
    token: session.speakerToken,
    frameMs: 40,
    ackIntervalMs: 200,
  });
  await speaker.connect();
  const sent: number[] = [];
  const result = await speaker.streamRealtime(samples, { onFrameSent: (seq) => sent.push(seq) });
  await speaker.drain();
  // The periodic hello's welcome acknowledges everything stored: nothing is left to resend.
  await waitFor('every frame acknowledged as stored', () => speaker.stats.bufferedFrames === 0, { timeoutMs: 2_000 });
  await speaker.close();

  const expected = expectedFrames(samples, 40);
  expect(result.frames).toBe(expected.length);
  const { seqs, frames } = await framesOnStream(session.sessionId);
  expect(seqs).toEqual(expected.map((_, i) => i));
  expect(new Set([...frames.values()].map((r) => r.shardId)).size).toBe(1);
  expected.forEach((pcm, seq) => {
    expect(Buffer.from(frames.get(seq)!.record.pcm).equals(pcm)).toBe(true);
  });
  // Capture times advance by exactly one frame per frame: the stream's clock is the speaker's.
  const times = seqs.map((seq) => {
    const header = frames.get(seq)!.record.header;
    return header.kind === 'audio' ? header.captureTime : 0;
  });
  times.slice(1).forEach((t, i) => {
    expect(t - times[i]!).toBeCloseTo(40, 3);
  });
});

test('a speaker whose socket drops mid-stream reconnects and nothing is lost or duplicated', async () => {
  const samples = toMono16k(readWav(wavPath));
  const session = await newSession();
  const speaker = new SpeakerClient({
    server: system.url,
    sessionId: session.sessionId,
    token: session.speakerToken,
    frameMs: 20,
    ackIntervalMs: 200,
  });
  await speaker.connect();
  let dropped = false;
  const result = await speaker.streamRealtime(samples, {
    onFrameSent: (seq) => {
      if (seq === 60 && !dropped) {
        dropped = true;
        // The speaker is the only connection: cut it as a network failure would.
        for (const id of system.gateway.connectionIds()) system.gateway.terminate(id);
      }
    },
  });
  await speaker.drain();
  expect(speaker.stats.reconnects).toBeGreaterThanOrEqual(1);
  // Each frame is an invocation of its own and the gateway does not wait for them at close (as API Gateway): the
  // last ones may still be storing. The welcome to the periodic hello says when every frame is stored.
  await waitFor('every frame acknowledged as stored', () => speaker.stats.bufferedFrames === 0, { timeoutMs: 5_000 });
  await speaker.close();

  const expected = expectedFrames(samples, 20);
  const { seqs, frames } = await framesOnStream(session.sessionId);
  expect(seqs).toEqual(expected.map((_, i) => i));
  expect(result.frames).toBe(expected.length);
  expected.forEach((pcm, seq) => {
    expect(Buffer.from(frames.get(seq)!.record.pcm).equals(pcm)).toBe(true);
  });
});

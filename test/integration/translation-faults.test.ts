// One language's translation engine hangs (its Apertium pipeline is stopped with SIGSTOP) while a sentence is
// translated: the other languages' captions and speech arrive as usual, the hang is logged and counted, the
// workflow's retry starts a fresh pipeline and the hung language catches up; the next sentence is normal.
import { execFileSync } from 'node:child_process';
import { createSession, ListenerClient, readWav, SpeakerClient, toMono16k } from '@llt/cli';
import type { AudioMessage, CaptionMessage } from '@llt/events';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type SpawnedSystem, spawnSystem } from '../support/spawn.ts';
import { speakToWav } from '../support/speech.ts';

const LANGUAGES = ['es', 'ca', 'eo'] as const;
let system: SpawnedSystem;

beforeAll(async () => {
  system = await spawnSystem({ LLT_METRICS: '1' });
}, 90_000);
afterAll(async () => {
  await system?.stop();
});

/** Process groups of the system's Apertium pipelines for one mode (each pipeline is a group led by its bash). */
function pipelineGroups(rootPid: number, mode: string): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), args: m[4] ?? '' }));
  const descendants = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows)
      if (descendants.has(row.ppid) && !descendants.has(row.pid)) {
        descendants.add(row.pid);
        grew = true;
      }
  }
  return [
    ...new Set(
      rows.filter((r) => descendants.has(r.pid) && r.pid === r.pgid && r.args.includes(`/${mode}.`)).map((r) => r.pgid),
    ),
  ];
}

test('a hung translation engine for one language leaves the others on time, is logged and counted, and recovers', async () => {
  const session = await createSession(system.url, { sourceLanguage: 'en', targetLanguages: [...LANGUAGES] });
  const listeners = Object.fromEntries(
    LANGUAGES.map((lang) => [lang, new ListenerClient({ server: system.url, code: session.joinCode, lang })]),
  ) as Record<(typeof LANGUAGES)[number], ListenerClient>;
  await Promise.all(Object.values(listeners).map((l) => l.connect()));
  const speaker = new SpeakerClient({ server: system.url, sessionId: session.sessionId, token: session.speakerToken });
  await speaker.connect();

  const hung = pipelineGroups(system.child.pid!, 'en-eo');
  expect(hung).toHaveLength(1);
  for (const group of hung) process.kill(-group, 'SIGSTOP');

  const say = async (text: string) => {
    const samples = toMono16k(readWav(speakToWav(text, 'rms')));
    await speaker.streamRealtime(
      new Int16Array([...new Int16Array(16 * 300), ...samples, ...new Int16Array(16 * 800)]),
    );
    await speaker.drain();
  };
  await say('the meeting will start in five minutes');

  const translation = (lang: string, pattern: RegExp) =>
    listeners[lang as (typeof LANGUAGES)[number]].waitFor<CaptionMessage>(
      (m) => m.type === 'caption' && m.kind === 'translation' && m.final && pattern.test(m.text),
      30_000,
      { includePast: true },
    );
  const arrival = (lang: (typeof LANGUAGES)[number], type: string) =>
    listeners[lang].history.find(
      ({ message }) =>
        message.type === type &&
        (type === 'audio' || ((message as CaptionMessage).kind === 'translation' && (message as CaptionMessage).final)),
    )?.receivedAt;

  // Spanish and Catalan: caption and speech, while Esperanto waits for its engine.
  await Promise.all([translation('es', /cinco/i), translation('ca', /cinc/i)]);
  await Promise.all(
    ['es', 'ca'].map((lang) =>
      listeners[lang as 'es'].waitFor((m) => m.type === 'audio', 30_000, { includePast: true }),
    ),
  );
  expect(arrival('eo', 'caption')).toBeUndefined();
  // Esperanto arrives after the hung pipeline is given up and a fresh one answers the retry.
  const late = await translation('eo', /kvin/i);
  expect(late.text).toMatch(/kvin/i);
  for (const lang of ['es', 'ca'] as const) {
    expect(arrival(lang, 'audio')!).toBeLessThan(arrival('eo', 'caption')!);
  }
  const replaced = pipelineGroups(system.child.pid!, 'en-eo');
  expect(replaced).toHaveLength(1);
  expect(replaced[0]).not.toBe(hung[0]);

  // Visible to operators: an error log line naming the language and the cause, and the failure metric (EMF, as
  // CloudWatch reads it) and counter.
  const lines = system
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const failure = lines.find((l) => l.message === 'translation failed');
  expect(failure).toMatchObject({ level: 'ERROR', service: 'translate', language: 'eo', sessionId: session.sessionId });
  expect(String(failure?.error)).toMatch(/en-eo gave no output within \d+ ms/);
  expect(
    lines.some((l) =>
      (
        l._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined
      )?.CloudWatchMetrics?.[0]?.Metrics.some((m) => m.Name === 'TranslationFailures'),
    ),
  ).toBe(true);
  expect((await system.stats()).counters['translate.TranslationFailures']).toBeGreaterThanOrEqual(1);

  // The next sentence reaches every language at once again.
  await say('please take your seats');
  await Promise.all(
    LANGUAGES.map((lang) =>
      listeners[lang].waitFor(
        (m) => m.type === 'audio' && (m as AudioMessage).segmentIndex > late.segmentIndex,
        30_000,
        { includePast: true },
      ),
    ),
  );
  await speaker.end();
  await Promise.all(Object.values(listeners).map((l) => l.close()));
}, 120_000);

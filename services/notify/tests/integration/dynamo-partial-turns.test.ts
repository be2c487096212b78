// The partial turns against the local DynamoDB emulator: the conditions DynamoDB evaluates, with the same
// outcomes as the in-memory store the use-case tests run on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptionMessage } from '@llt/events';
import { type Emulators, startEmulators } from '@llt/local/emulators';
import { CAPTIONS_TABLE, dynamoDocumentClient } from '@llt/platform';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DynamoPartialTurns } from '#adapters/dynamo-partial-turns';
import { type CaptionRef, fanOutPartial } from '#core/partials';

let emulators: Emulators;
let dataDir: string;
let turns: DynamoPartialTurns;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-partial-turns-'));
  emulators = await startEmulators({ dataDir, region: 'us-east-1', shards: 1 });
  turns = new DynamoPartialTurns(dynamoDocumentClient(emulators.endpoints), CAPTIONS_TABLE.name);
});
afterAll(async () => {
  await emulators?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const ref = (segmentIndex: number, revision: number, final = false): CaptionRef => ({
  key: 's_turns000001',
  segmentIndex,
  revision,
  final,
});
const message = (text: string) =>
  ({
    type: 'caption',
    sessionId: 's_turns000001',
    segmentId: 'seg-000010',
    segmentIndex: 10,
    language: 'en',
    kind: 'source',
    final: false,
    text,
    captureEnd: 1_800_000_000_000,
  }) as CaptionMessage;

test('newer captions win, older and repeated ones are refused, a final ends its partials', async () => {
  expect(await turns.offer(ref(10, 0), message('the'))).toBe(true);
  expect(await turns.offer(ref(10, 1), message('the meeting'))).toBe(true);
  expect(await turns.offer(ref(10, 1), message('the meeting'))).toBe(false);
  expect(await turns.offer(ref(10, 0), message('the'))).toBe(false);
  expect(await turns.newest('s_turns000001')).toEqual({ ref: ref(10, 1), message: message('the meeting') });
  expect(await turns.offer(ref(10, 0, true))).toBe(true);
  expect(await turns.offer(ref(10, 2), message('late'))).toBe(false);
  expect(await turns.newest('s_turns000001')).toEqual({ ref: ref(10, 0, true) });
  expect(await turns.offer(ref(11, 0), message('next'))).toBe(true);
});

test('one turn at a time: taken, refused to another, extended by its holder, released only when nothing newer waits', async () => {
  await turns.offer(ref(20, 0), message('a'));
  expect(await turns.acquire('s_turns000001', 'env-1', 1_000, 16_000)).toBe(true);
  expect(await turns.acquire('s_turns000001', 'env-2', 2_000, 17_000)).toBe(false);
  expect(await turns.acquire('s_turns000001', 'env-1', 3_000, 18_000)).toBe(true);
  await turns.offer(ref(20, 1), message('a b'));
  expect(await turns.release('s_turns000001', 'env-1', ref(20, 0))).toBe(false);
  expect(await turns.release('s_turns000001', 'env-2', ref(20, 1))).toBe(false);
  expect(await turns.release('s_turns000001', 'env-1', ref(20, 1))).toBe(true);
  expect(await turns.acquire('s_turns000001', 'env-2', 4_000, 19_000)).toBe(true);
  // Expired: another environment takes it over.
  expect(await turns.acquire('s_turns000001', 'env-3', 20_000, 35_000)).toBe(true);
  await turns.abandon('s_turns000001', 'env-2');
  expect(await turns.acquire('s_turns000001', 'env-4', 21_000, 36_000)).toBe(false);
  await turns.abandon('s_turns000001', 'env-3');
  expect(await turns.acquire('s_turns000001', 'env-4', 21_000, 36_000)).toBe(true);
  await turns.abandon('s_turns000001', 'env-4');
});

test('the use case on DynamoDB: a partial left to the turn is sent by its holder', async () => {
  const sent: string[] = [];
  let release: () => void = () => undefined;
  const first = fanOutPartial(turns, Date.now, ref(30, 0), message('one'), async (m) => {
    sent.push(m.text);
    if (sent.length === 1) await new Promise<void>((resolve) => (release = resolve));
  });
  while (sent.length === 0) await new Promise((r) => setTimeout(r, 5));
  const second = await fanOutPartial(turns, Date.now, ref(30, 1), message('one two'), async (m) => {
    sent.push(`second:${m.text}`);
  });
  expect(second.outcome).toBe('left-to-turn');
  release();
  expect((await first).outcome).toBe('sent');
  expect(sent).toEqual(['one', 'one two']);
});

// Partial captions under load, across any number of function environments: one fan-out per session at a time
// (a turn in the store), the newest partial next, finals make older partials stale, a running partial fan-out
// learns when it has been overtaken, and a holder that died frees the turn.
import type { CaptionMessage } from '@llt/events';
import { expect, test } from 'vitest';
import { type CaptionRef, fanOutPartial, TURN_MS } from '#core/partials';
import { MemoryPartialTurns } from '../memory-partial-turns.ts';

const partial = (segmentIndex: number, revision: number, key = 's1'): CaptionRef => ({
  key,
  segmentIndex,
  revision,
  final: false,
});
const final = (segmentIndex: number, key = 's1'): CaptionRef => ({
  key,
  segmentIndex,
  revision: 0,
  final: true,
});
const text = (ref: CaptionRef) =>
  ({ type: 'caption', text: `${ref.key}:${ref.segmentIndex}.${ref.revision}` }) as unknown as CaptionMessage;

let clock = 1_000;
const now = () => clock;

/** A fan-out that records what it sent and finishes when the test says so. */
function gatedFanOut(log: string[]) {
  const gates: (() => void)[] = [];
  const checks: boolean[] = [];
  return {
    fanOut: async (message: CaptionMessage, current: () => Promise<boolean>) => {
      log.push(message.text);
      await new Promise<void>((resolve) => gates.push(resolve));
      checks.push(await current());
      return message.text;
    },
    /** Lets the oldest running fan-out finish. */
    open: async () => {
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    },
    checks,
  };
}
const instant = (log: string[]) => async (message: CaptionMessage) => {
  log.push(message.text);
  return message.text;
};

test('while one partial is fanned out, later ones replace each other and the holder sends only the newest next', async () => {
  const turns = new MemoryPartialTurns();
  const log: string[] = [];
  const gated = gatedFanOut(log);
  // Each call stands for another function environment handling the next TranscriptPartial.
  const first = fanOutPartial(turns, now, partial(10, 0), text(partial(10, 0)), gated.fanOut);
  await new Promise((r) => setImmediate(r));
  expect(await fanOutPartial(turns, now, partial(10, 1), text(partial(10, 1)), instant(log))).toEqual({
    outcome: 'left-to-turn',
    deliveries: [],
  });
  await fanOutPartial(turns, now, partial(10, 2), text(partial(10, 2)), instant(log));
  await gated.open(); // r0 done: the holder finds r2 newest and sends it
  await gated.open();
  expect(await first).toEqual({ outcome: 'sent', deliveries: ['s1:10.0', 's1:10.2'] });
  expect(log).toEqual(['s1:10.0', 's1:10.2']);
  // r0's fan-out was told between batches that r2 had overtaken it.
  expect(gated.checks).toEqual([false, true]);
  expect(turns.keys.get('s1')?.owner).toBeUndefined();
});

test('a final makes older partials stale and ends the turn without sending them', async () => {
  const turns = new MemoryPartialTurns();
  const log: string[] = [];
  const gated = gatedFanOut(log);
  const first = fanOutPartial(turns, now, partial(10, 0), text(partial(10, 0)), gated.fanOut);
  await new Promise((r) => setImmediate(r));
  await fanOutPartial(turns, now, partial(10, 1), text(partial(10, 1)), instant(log));
  expect(await turns.offer(final(10))).toBe(true);
  await gated.open();
  expect(await first).toEqual({ outcome: 'sent', deliveries: ['s1:10.0'] });
  expect(await fanOutPartial(turns, now, partial(10, 3), text(partial(10, 3)), instant(log))).toMatchObject({
    outcome: 'stale',
  });
  // The next utterance's partials flow again.
  expect(await fanOutPartial(turns, now, partial(20, 0), text(partial(20, 0)), instant(log))).toMatchObject({
    outcome: 'sent',
  });
  expect(log).toEqual(['s1:10.0', 's1:20.0']);
});

test('a partial older than the newest is stale; a redelivered one too', async () => {
  const turns = new MemoryPartialTurns();
  const log: string[] = [];
  await fanOutPartial(turns, now, partial(5, 3), text(partial(5, 3)), instant(log));
  expect((await fanOutPartial(turns, now, partial(5, 2), text(partial(5, 2)), instant(log))).outcome).toBe('stale');
  expect((await fanOutPartial(turns, now, partial(5, 3), text(partial(5, 3)), instant(log))).outcome).toBe('stale');
  expect((await fanOutPartial(turns, now, partial(4, 9), text(partial(4, 9)), instant(log))).outcome).toBe('stale');
  expect(log).toEqual(['s1:5.3']);
});

test('sessions do not wait for each other', async () => {
  const turns = new MemoryPartialTurns();
  const log: string[] = [];
  const gated = gatedFanOut(log);
  const a = fanOutPartial(turns, now, partial(1, 0, 'a'), text(partial(1, 0, 'a')), gated.fanOut);
  await new Promise((r) => setImmediate(r));
  expect((await fanOutPartial(turns, now, partial(1, 0, 'b'), text(partial(1, 0, 'b')), instant(log))).outcome).toBe(
    'sent',
  );
  await gated.open();
  await a;
  expect(log).toEqual(['a:1.0', 'b:1.0']);
});

test('a turn whose holder died is taken over once it expires', async () => {
  const turns = new MemoryPartialTurns();
  const log: string[] = [];
  await turns.offer(partial(1, 0));
  expect(await turns.acquire('s1', 'gone-environment', clock, clock + TURN_MS)).toBe(true);
  expect((await fanOutPartial(turns, now, partial(1, 1), text(partial(1, 1)), instant(log))).outcome).toBe(
    'left-to-turn',
  );
  clock += TURN_MS + 1;
  expect((await fanOutPartial(turns, now, partial(1, 2), text(partial(1, 2)), instant(log))).outcome).toBe('sent');
  expect(log).toEqual(['s1:1.2']);
});

test('a fan-out that fails gives the turn back', async () => {
  const turns = new MemoryPartialTurns();
  const failing = async () => {
    throw new Error('management API down');
  };
  await expect(fanOutPartial(turns, now, partial(1, 0), text(partial(1, 0)), failing)).rejects.toThrow('down');
  expect(turns.keys.get('s1')?.owner).toBeUndefined();
});

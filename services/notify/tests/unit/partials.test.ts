// Partial captions under load: one fan-out per session at a time, the newest partial next, finals drop stale
// partials, and a running partial fan-out learns when it has been overtaken.
import { expect, test } from 'vitest';
import { PartialCoalescer, type SourceCaptionRef } from '#core/partials';

const partial = (segmentIndex: number, revision: number, sessionId = 's1'): SourceCaptionRef => ({
  sessionId,
  segmentIndex,
  revision,
  final: false,
});
const final = (segmentIndex: number, sessionId = 's1'): SourceCaptionRef => ({
  sessionId,
  segmentIndex,
  revision: 0,
  final: true,
});

/** A send that finishes at once, recording that it ran. */
const record = (log: string[], name: string) => async () => {
  log.push(name);
};

/** A send that finishes when the test says so, recording its start. */
function gate(log: string[], name: string) {
  let open: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    send: async () => {
      log.push(name);
      await done;
    },
    open: () => open(),
  };
}

test('while one partial is fanned out, later ones replace each other and only the newest follows', async () => {
  const coalescer = new PartialCoalescer();
  const log: string[] = [];
  const first = gate(log, 'r0');
  const r0 = coalescer.partial(partial(10, 0), first.send);
  const r1 = coalescer.partial(partial(10, 1), gate(log, 'r1').send);
  const r2 = coalescer.partial(partial(10, 2), async () => {
    log.push('r2');
  });
  expect(await r1).toBe('replaced');
  expect(log).toEqual(['r0']);
  first.open();
  expect(await r0).toBe('sent');
  expect(await r2).toBe('sent');
  expect(log).toEqual(['r0', 'r2']);
});

test('a final drops pending partials of its utterance; stale partials arriving later are not sent', async () => {
  const coalescer = new PartialCoalescer();
  const log: string[] = [];
  const first = gate(log, 'r0');
  const r0 = coalescer.partial(partial(10, 0), first.send);
  const r1 = coalescer.partial(partial(10, 1), async () => {
    log.push('r1');
  });
  coalescer.final(final(10));
  expect(coalescer.isCurrent(partial(10, 0))).toBe(false);
  expect(await r1).toBe('superseded');
  first.open();
  await r0;
  expect(await coalescer.partial(partial(10, 3), record(log, 'late'))).toBe('superseded');
  // The next utterance's partials flow again.
  expect(await coalescer.partial(partial(20, 0), record(log, 'next'))).toBe('sent');
  expect(log).toEqual(['r0', 'next']);
});

test('sessions do not wait for each other', async () => {
  const coalescer = new PartialCoalescer();
  const log: string[] = [];
  const slow = gate(log, 'a');
  const a = coalescer.partial(partial(1, 0, 'a'), slow.send);
  expect(await coalescer.partial(partial(1, 0, 'b'), record(log, 'b'))).toBe('sent');
  slow.open();
  await a;
  expect(log).toEqual(['a', 'b']);
});

test('a running partial fan-out is told when a newer caption of its session exists', async () => {
  const coalescer = new PartialCoalescer();
  const ref = partial(5, 0);
  const first = gate([], 'r0');
  const running = coalescer.partial(ref, first.send);
  expect(coalescer.isCurrent(ref)).toBe(true);
  const next = coalescer.partial(partial(5, 1), async () => undefined);
  expect(coalescer.isCurrent(ref)).toBe(false);
  first.open();
  await Promise.all([running, next]);
});

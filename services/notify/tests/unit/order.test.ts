// Deliveries of one session's language in segment order: a later segment waits for the earlier ones the
// workflow registered, never for other languages, kinds or sessions, and never longer than the bound.
import { expect, test } from 'vitest';
import { SegmentOrder } from '#core/order';

test('a later segment waits until the earlier one of its language and kind is delivered', async () => {
  const order = new SegmentOrder(5_000);
  order.expect('s1', 100, ['es', 'ca']);
  order.expect('s1', 200, ['es', 'ca']);
  const log: string[] = [];
  const later = order.turn('s1', 'es', 'caption', 200).then((outcome) => log.push(`200:${outcome}`));
  // Other languages, the other kind and other sessions go at once.
  expect(await order.turn('s1', 'ca', 'audio', 100)).toBe('in-order');
  expect(await order.turn('s2', 'es', 'caption', 300)).toBe('in-order');
  expect(await order.turn('s1', 'es', 'caption', 100)).toBe('in-order');
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(log).toEqual([]);
  order.done('s1', 'es', 'caption', 100);
  await later;
  expect(log).toEqual(['200:in-order']);
});

test('an earlier delivery that never comes holds the stream up only for the bound, then is given up', async () => {
  const order = new SegmentOrder(50);
  order.expect('s1', 100, ['es']);
  order.expect('s1', 200, ['es']);
  order.expect('s1', 300, ['es']);
  expect(await order.turn('s1', 'es', 'audio', 200)).toBe('waited-out');
  order.done('s1', 'es', 'audio', 200);
  // Segment 100's audio was given up with the wait: 300 goes at once.
  expect(await order.turn('s1', 'es', 'audio', 300)).toBe('in-order');
});

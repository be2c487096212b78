// The local EventBridge bus: envelopes, routing, PutEvents validation, retries, dead letters and drain.
import { patternFor, TranscriptFinalizedV1 } from '@llt/events';
import { describe, expect, it, vi } from 'vitest';
import {
  type BusEvent,
  LocalEventBus,
  MAX_ENTRY_BYTES,
  type PutEventsEntry,
  PutEventsValidationError,
  TargetDeliveryError,
} from '../../src/bus/event-bus.ts';
import { InvalidEventPatternError } from '../../src/bus/pattern.ts';

const finalizedEntry = (detail: object = { v: 1, sessionId: 's-1' }): PutEventsEntry => ({
  Source: 'llt.transcribe',
  DetailType: 'TranscriptFinalized',
  Detail: JSON.stringify(detail),
});

function quietBus(options: ConstructorParameters<typeof LocalEventBus>[0] = {}) {
  const errors: TargetDeliveryError[] = [];
  const bus = new LocalEventBus({ retryBaseDelayMs: 1, onTargetError: (e) => errors.push(e), ...options });
  return { bus, errors };
}

describe('LocalEventBus envelopes and routing', () => {
  it('builds a real EventBridge envelope and delivers it to a matching rule', async () => {
    const { bus } = quietBus({ region: 'eu-west-1', now: () => new Date('2025-03-04T05:06:07.890Z') });
    const received: BusEvent[] = [];
    bus.addRule('finalized', patternFor(TranscriptFinalizedV1), async (event) => {
      received.push(event);
    });

    const result = bus.putEvents([finalizedEntry()]);
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toHaveLength(1);
    const eventId = (result.Entries[0] as { EventId: string }).EventId;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);

    await bus.drain();
    expect(received).toEqual([
      {
        version: '0',
        id: eventId,
        'detail-type': 'TranscriptFinalized',
        source: 'llt.transcribe',
        account: '000000000000',
        time: '2025-03-04T05:06:07Z',
        region: 'eu-west-1',
        resources: [],
        detail: { v: 1, sessionId: 's-1' },
      },
    ]);
  });

  it('uses the entry Time and Resources when given', async () => {
    const { bus } = quietBus();
    const seen: BusEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    bus.putEvents([
      { ...finalizedEntry(), Time: new Date('2024-01-02T03:04:05Z'), Resources: ['arn:aws:x'] },
      { ...finalizedEntry(), Time: 1_700_000_000.5 },
    ]);
    expect(seen.map((e) => e.time)).toEqual(['2024-01-02T03:04:05Z', '2023-11-14T22:13:20Z']);
    expect(seen[0]?.resources).toEqual(['arn:aws:x']);
  });

  it('delivers only to rules whose pattern matches, each target its own copy', async () => {
    const { bus } = quietBus();
    const v1: BusEvent[] = [];
    const v1Again: BusEvent[] = [];
    const other = vi.fn(async () => {});
    bus.addRule('v1', patternFor(TranscriptFinalizedV1), async (e) => {
      (e.detail as { mutated?: boolean }).mutated = true;
      v1.push(e);
    });
    bus.addRule('v1-again', { source: ['llt.transcribe'], detail: { v: [1] } }, async (e) => {
      v1Again.push(e);
    });
    bus.addRule('other', { source: ['llt.translate'] }, other);

    bus.putEvents([finalizedEntry(), finalizedEntry({ v: 2, sessionId: 's-2' })]);
    await bus.drain();

    expect(v1).toHaveLength(1);
    expect(v1Again).toHaveLength(1);
    expect(v1Again[0]?.detail).toEqual({ v: 1, sessionId: 's-1' });
    expect(other).not.toHaveBeenCalled();
    expect(bus.stats).toMatchObject({ eventsPut: 2, deliveries: 2, targetErrors: 0 });
  });

  it('does not run targets on the caller stack', async () => {
    const { bus } = quietBus();
    const target = vi.fn(async () => {});
    bus.addRule('all', { source: [{ prefix: '' }] }, target);
    bus.putEvents([finalizedEntry()]);
    expect(target).not.toHaveBeenCalled();
    expect(bus.inFlight).toBe(1);
    await bus.drain();
    expect(target).toHaveBeenCalledTimes(1);
    expect(bus.inFlight).toBe(0);
  });

  it('replaces a rule of the same name and can remove it', async () => {
    const { bus } = quietBus();
    const first = vi.fn(async () => {});
    const second = vi.fn(async () => {});
    bus.addRule('r', { source: ['llt.transcribe'] }, first);
    bus.addRule('r', { source: ['llt.transcribe'] }, second);
    expect(bus.ruleNames).toEqual(['r']);
    bus.putEvents([finalizedEntry()]);
    await bus.drain();
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
    expect(bus.removeRule('r')).toBe(true);
    bus.putEvents([finalizedEntry()]);
    await bus.drain();
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('refuses an invalid pattern when the rule is added', () => {
    const { bus } = quietBus();
    expect(() => bus.addRule('bad', { source: [{ suffix: 'x' }] } as never, async () => {})).toThrow(
      InvalidEventPatternError,
    );
  });

  it('lets listeners observe every accepted event, and unsubscribe', () => {
    const { bus } = quietBus();
    const seen: string[] = [];
    const unsubscribe = bus.subscribe((e) => seen.push(e.id));
    bus.subscribe(() => {
      throw new Error('a broken listener must not break the bus');
    });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const first = bus.putEvents([finalizedEntry(), { Source: 'x' }]);
    unsubscribe();
    bus.putEvents([finalizedEntry()]);
    spy.mockRestore();
    expect(seen).toEqual([(first.Entries[0] as { EventId: string }).EventId]);
  });
});

describe('LocalEventBus PutEvents validation', () => {
  it('reports invalid entries one by one, in request order', () => {
    const { bus } = quietBus();
    const result = bus.putEvents([
      finalizedEntry(),
      { DetailType: 'T', Detail: '{}' },
      { Source: 's', Detail: '{}' },
      { Source: 's', DetailType: 'T' },
      { Source: 's', DetailType: 'T', Detail: '{not json' },
      { Source: 's', DetailType: 'T', Detail: '[1,2]' },
      { Source: 's', DetailType: 'T', Detail: '"text"' },
      { Source: 's', DetailType: 'T', Detail: JSON.stringify({ big: 'x'.repeat(MAX_ENTRY_BYTES) }) },
      { Source: 's', DetailType: 'T', Detail: '{}', Time: 'not a date' },
    ]);
    expect(result.FailedEntryCount).toBe(8);
    expect(result.Entries[0]).toHaveProperty('EventId');
    expect(result.Entries.slice(1).map((e) => ('ErrorCode' in e ? e.ErrorCode : 'ok'))).toEqual([
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'InvalidArgument',
    ]);
    const messages = result.Entries.map((e) => ('ErrorMessage' in e ? e.ErrorMessage : ''));
    expect(messages[1]).toMatch(/Source/);
    expect(messages[2]).toMatch(/DetailType/);
    expect(messages[3]).toMatch(/Detail is a required/);
    expect(messages[4]).toBe('Detail is malformed.');
    expect(messages[7]).toMatch(/262144/);
    expect(bus.stats).toMatchObject({ eventsPut: 1, failedEntries: 8 });
  });

  it('refuses a call with no entries or more than 10', () => {
    const { bus } = quietBus();
    expect(() => bus.putEvents([])).toThrow(PutEventsValidationError);
    expect(() => bus.putEvents(Array.from({ length: 11 }, () => finalizedEntry()))).toThrow(PutEventsValidationError);
    expect(bus.putEvents(Array.from({ length: 10 }, () => finalizedEntry())).FailedEntryCount).toBe(0);
  });

  it('refuses a call whose entries together exceed 256 KB', () => {
    const { bus } = quietBus();
    const entry = { Source: 's', DetailType: 'T', Detail: JSON.stringify({ x: 'y'.repeat(100_000) }) };
    expect(() => bus.putEvents([entry, entry, entry])).toThrow(/Total size/);
  });

  it('checks EventBusName only when the bus has a name', () => {
    const named = quietBus({ name: 'llt-bus' }).bus;
    const result = named.putEvents([
      { ...finalizedEntry(), EventBusName: 'llt-bus' },
      { ...finalizedEntry(), EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/llt-bus' },
      { ...finalizedEntry(), EventBusName: 'other' },
      finalizedEntry(),
    ]);
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[2]).toEqual({
      ErrorCode: 'ResourceNotFoundException',
      ErrorMessage: 'Event bus other does not exist.',
    });
    const anonymous = quietBus().bus;
    expect(anonymous.putEvents([{ ...finalizedEntry(), EventBusName: 'whatever' }]).FailedEntryCount).toBe(0);
  });
});

describe('LocalEventBus delivery failures', () => {
  it('retries a failing target and counts the retries', async () => {
    const { bus, errors } = quietBus();
    let calls = 0;
    bus.addRule('flaky', { source: ['llt.transcribe'] }, async () => {
      calls++;
      if (calls < 3) throw new Error(`boom ${calls}`);
    });
    bus.putEvents([finalizedEntry()]);
    await bus.drain();
    expect(calls).toBe(3);
    expect(bus.deadLetters).toEqual([]);
    expect(errors.map((e) => [e.attempt, e.willRetry])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(errors[0]?.cause).toBeInstanceOf(Error);
    expect(bus.stats).toMatchObject({ deliveries: 1, targetErrors: 2, retries: 2, deadLettered: 0 });
  });

  it('dead-letters a delivery after the first attempt and two retries', async () => {
    const { bus, errors } = quietBus();
    const healthy = vi.fn(async () => {});
    bus.addRule('broken', { source: ['llt.transcribe'] }, async () => {
      throw new Error('always');
    });
    bus.addRule('healthy', { source: ['llt.transcribe'] }, healthy);
    const { Entries } = bus.putEvents([finalizedEntry()]);
    await bus.drain();

    expect(healthy).toHaveBeenCalledTimes(1);
    expect(errors).toHaveLength(3);
    expect(errors.every((e) => e instanceof TargetDeliveryError && e.ruleName === 'broken')).toBe(true);
    expect(errors.at(-1)?.willRetry).toBe(false);
    expect(bus.deadLetters).toHaveLength(1);
    expect(bus.deadLetters[0]).toMatchObject({
      ruleName: 'broken',
      attempts: 3,
      event: { id: (Entries[0] as { EventId: string }).EventId },
    });
    expect((bus.deadLetters[0]!.error as Error).message).toBe('always');
    expect(bus.stats).toMatchObject({ deliveries: 1, targetErrors: 3, retries: 2, deadLettered: 1 });
  });

  it('survives an onTargetError callback that throws', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bus = new LocalEventBus({
      maxRetries: 0,
      onTargetError: () => {
        throw new Error('callback broken');
      },
    });
    bus.addRule('broken', { source: ['llt.transcribe'] }, async () => {
      throw new Error('target broken');
    });
    bus.putEvents([finalizedEntry()]);
    await bus.drain();
    spy.mockRestore();
    expect(bus.deadLetters).toHaveLength(1);
  });

  it('drain waits for deliveries started while draining', async () => {
    const { bus } = quietBus();
    const order: string[] = [];
    bus.addRule('first', { source: ['a'] }, async () => {
      order.push('a');
      bus.putEvents([{ Source: 'b', DetailType: 'T', Detail: '{}' }]);
    });
    bus.addRule('second', { source: ['b'] }, async () => {
      order.push('b');
    });
    await bus.drain();
    bus.putEvents([{ Source: 'a', DetailType: 'T', Detail: '{}' }]);
    await bus.drain();
    expect(order).toEqual(['a', 'b']);
  });
});

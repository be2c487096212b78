// EventBridge pattern semantics of the local bus, including the patterns @llt/events generates for rules.
import { type EventPattern, patternFor, TranscriptFinalizedV1, TranslationReadyV1 } from '@llt/events';
import { describe, expect, it } from 'vitest';
import { assertValidPattern, InvalidEventPatternError, matchesPattern } from '../../src/bus/pattern.ts';

function envelope(source: string, detailType: string, detail: object): object {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: '2025-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

describe('patternFor from @llt/events', () => {
  const pattern = patternFor(TranscriptFinalizedV1);
  const finalized = (detail: object) => envelope('llt.transcribe', 'TranscriptFinalized', detail);

  it('matches its own event and major version', () => {
    expect(matchesPattern(pattern, finalized({ v: 1, sessionId: 's' }))).toBe(true);
  });

  it('does not match another major version of the same event', () => {
    expect(matchesPattern(pattern, finalized({ v: 2, sessionId: 's' }))).toBe(false);
    expect(matchesPattern(pattern, finalized({ v: '1' }))).toBe(false);
  });

  it('does not match an event without a version', () => {
    expect(matchesPattern(pattern, finalized({ sessionId: 's' }))).toBe(false);
    expect(matchesPattern(pattern, envelope('llt.transcribe', 'TranscriptFinalized', {}))).toBe(false);
  });

  it('does not match another source or detail type', () => {
    expect(matchesPattern(pattern, envelope('llt.translate', 'TranscriptFinalized', { v: 1 }))).toBe(false);
    expect(matchesPattern(pattern, envelope('llt.transcribe', 'TranscriptPartial', { v: 1 }))).toBe(false);
    expect(matchesPattern(patternFor(TranslationReadyV1), finalized({ v: 1 }))).toBe(false);
  });

  it('is a valid pattern', () => {
    expect(() => assertValidPattern(pattern)).not.toThrow();
  });
});

describe('exact values', () => {
  it('matches strings, numbers, booleans and null by type and value', () => {
    expect(matchesPattern({ a: ['x'] }, { a: 'x' })).toBe(true);
    expect(matchesPattern({ a: ['x'] }, { a: 'X' })).toBe(false);
    expect(matchesPattern({ a: [5] }, { a: 5 })).toBe(true);
    expect(matchesPattern({ a: [5] }, { a: 5.0 })).toBe(true);
    expect(matchesPattern({ a: [5] }, { a: '5' })).toBe(false);
    expect(matchesPattern({ a: ['5'] }, { a: 5 })).toBe(false);
    expect(matchesPattern({ a: [true] }, { a: true })).toBe(true);
    expect(matchesPattern({ a: [true] }, { a: 'true' })).toBe(false);
    expect(matchesPattern({ a: [false] }, { a: 0 })).toBe(false);
    expect(matchesPattern({ a: [null] }, { a: null })).toBe(true);
    expect(matchesPattern({ a: [null] }, {})).toBe(false);
    expect(matchesPattern({ a: [null] }, { a: '' })).toBe(false);
    expect(matchesPattern({ a: [''] }, { a: '' })).toBe(true);
    expect(matchesPattern({ a: [''] }, { a: null })).toBe(false);
  });

  it('treats the values of a pattern array as alternatives', () => {
    const pattern = { state: ['running', 'stopped', 3] };
    expect(matchesPattern(pattern, { state: 'stopped' })).toBe(true);
    expect(matchesPattern(pattern, { state: 3 })).toBe(true);
    expect(matchesPattern(pattern, { state: 'pending' })).toBe(false);
  });

  it('requires every field of the pattern (AND)', () => {
    const pattern = { a: ['x'], b: [1] };
    expect(matchesPattern(pattern, { a: 'x', b: 1, c: 'extra' })).toBe(true);
    expect(matchesPattern(pattern, { a: 'x', b: 2 })).toBe(false);
    expect(matchesPattern(pattern, { a: 'x' })).toBe(false);
  });

  it('matches an array field in the event if any element matches', () => {
    expect(matchesPattern({ tags: ['b'] }, { tags: ['a', 'b', 'c'] })).toBe(true);
    expect(matchesPattern({ tags: ['z'] }, { tags: ['a', 'b', 'c'] })).toBe(false);
    expect(matchesPattern({ tags: [2] }, { tags: [[1], [2]] })).toBe(true);
    expect(matchesPattern({ tags: ['a'] }, { tags: [] })).toBe(false);
  });

  it('never treats an object as a leaf value', () => {
    expect(matchesPattern({ a: ['x'] }, { a: { x: 'x' } })).toBe(false);
  });

  it('an empty pattern array matches nothing; an empty pattern matches everything', () => {
    expect(matchesPattern({ a: [] }, { a: 'x' })).toBe(false);
    expect(matchesPattern({}, { a: 'x' })).toBe(true);
  });
});

describe('nested objects', () => {
  const pattern: EventPattern = { detail: { session: { language: ['es'] } } };

  it('descends into nested objects', () => {
    expect(matchesPattern(pattern, { detail: { session: { language: 'es', id: 1 } } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { session: { language: 'fr' } } })).toBe(false);
  });

  it('does not match when an intermediate object is missing or is a leaf', () => {
    expect(matchesPattern(pattern, { detail: {} })).toBe(false);
    expect(matchesPattern(pattern, { detail: { session: 'es' } })).toBe(false);
    expect(matchesPattern(pattern, {})).toBe(false);
  });

  it('matches inside arrays of objects, keeping the fields of one element together', () => {
    const p: EventPattern = { items: { kind: ['audio'], lang: ['es'] } };
    expect(
      matchesPattern(p, {
        items: [
          { kind: 'text', lang: 'es' },
          { kind: 'audio', lang: 'es' },
        ],
      }),
    ).toBe(true);
    // kind from one element and lang from another must not combine into a match.
    expect(
      matchesPattern(p, {
        items: [
          { kind: 'audio', lang: 'fr' },
          { kind: 'text', lang: 'es' },
        ],
      }),
    ).toBe(false);
  });
});

describe('prefix', () => {
  it('matches strings starting with the prefix', () => {
    expect(matchesPattern({ source: [{ prefix: 'llt.' }] }, { source: 'llt.ingest' })).toBe(true);
    expect(matchesPattern({ source: [{ prefix: 'llt.' }] }, { source: 'aws.ec2' })).toBe(false);
    expect(matchesPattern({ source: [{ prefix: '' }] }, { source: 'anything' })).toBe(true);
  });

  it('ignores non-string values and missing fields', () => {
    expect(matchesPattern({ n: [{ prefix: '1' }] }, { n: 12 })).toBe(false);
    expect(matchesPattern({ n: [{ prefix: '' }] }, {})).toBe(false);
  });

  it('matches any element of an array field', () => {
    expect(matchesPattern({ r: [{ prefix: 'arn:' }] }, { r: ['x', 'arn:aws:s3'] })).toBe(true);
  });
});

describe('anything-but', () => {
  it('excludes a single string or number', () => {
    expect(matchesPattern({ s: [{ 'anything-but': 'init' }] }, { s: 'running' })).toBe(true);
    expect(matchesPattern({ s: [{ 'anything-but': 'init' }] }, { s: 'init' })).toBe(false);
    expect(matchesPattern({ n: [{ 'anything-but': 0 }] }, { n: 1 })).toBe(true);
    expect(matchesPattern({ n: [{ 'anything-but': 0 }] }, { n: 0 })).toBe(false);
  });

  it('excludes every value of a list', () => {
    const pattern: EventPattern = { s: [{ 'anything-but': ['a', 'b', 3] }] };
    expect(matchesPattern(pattern, { s: 'c' })).toBe(true);
    expect(matchesPattern(pattern, { s: 'b' })).toBe(false);
    expect(matchesPattern(pattern, { s: 3 })).toBe(false);
    expect(matchesPattern(pattern, { s: '3' })).toBe(true);
  });

  it('does not match a missing field', () => {
    expect(matchesPattern({ s: [{ 'anything-but': 'x' }] }, {})).toBe(false);
    expect(matchesPattern({ s: [{ 'anything-but': 'x' }] }, { s: [] })).toBe(false);
  });

  it('matches an array field when some element is not excluded', () => {
    expect(matchesPattern({ s: [{ 'anything-but': 'x' }] }, { s: ['x', 'y'] })).toBe(true);
    expect(matchesPattern({ s: [{ 'anything-but': 'x' }] }, { s: ['x', 'x'] })).toBe(false);
  });

  it('combined with a version pattern, routes every version but one', () => {
    const pattern: EventPattern = { detail: { v: [{ 'anything-but': 1 }] } };
    expect(matchesPattern(pattern, { detail: { v: 2 } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { v: 1 } })).toBe(false);
  });
});

describe('exists', () => {
  it('exists: true matches any present leaf, null included', () => {
    const pattern: EventPattern = { a: [{ exists: true }] };
    expect(matchesPattern(pattern, { a: 'x' })).toBe(true);
    expect(matchesPattern(pattern, { a: 0 })).toBe(true);
    expect(matchesPattern(pattern, { a: null })).toBe(true);
    expect(matchesPattern(pattern, { a: ['x'] })).toBe(true);
    expect(matchesPattern(pattern, {})).toBe(false);
    expect(matchesPattern(pattern, { a: [] })).toBe(false);
    expect(matchesPattern(pattern, { a: { b: 1 } })).toBe(false);
  });

  it('exists: false matches only an absent field', () => {
    const pattern: EventPattern = { a: [{ exists: false }] };
    expect(matchesPattern(pattern, {})).toBe(true);
    expect(matchesPattern(pattern, { a: [] })).toBe(true);
    expect(matchesPattern(pattern, { a: 'x' })).toBe(false);
    expect(matchesPattern(pattern, { a: null })).toBe(false);
  });

  it('exists: false holds under a missing parent object', () => {
    const pattern: EventPattern = { detail: { error: [{ exists: false }] }, source: ['s'] };
    expect(matchesPattern(pattern, { source: 's', detail: { ok: true } })).toBe(true);
    expect(matchesPattern(pattern, { source: 's' })).toBe(true);
    expect(matchesPattern(pattern, { source: 's', detail: { error: 'boom' } })).toBe(false);
  });

  it('can be an alternative next to exact values', () => {
    const pattern: EventPattern = { reason: ['end', { exists: false }] };
    expect(matchesPattern(pattern, {})).toBe(true);
    expect(matchesPattern(pattern, { reason: 'end' })).toBe(true);
    expect(matchesPattern(pattern, { reason: 'pause' })).toBe(false);
  });
});

describe('numeric', () => {
  it('matches a range', () => {
    const pattern: EventPattern = { n: [{ numeric: ['>', 0, '<=', 5] }] };
    expect(matchesPattern(pattern, { n: 0 })).toBe(false);
    expect(matchesPattern(pattern, { n: 0.001 })).toBe(true);
    expect(matchesPattern(pattern, { n: 5 })).toBe(true);
    expect(matchesPattern(pattern, { n: 5.0001 })).toBe(false);
    expect(matchesPattern(pattern, { n: -3 })).toBe(false);
  });

  it('supports every operator on its own', () => {
    expect(matchesPattern({ n: [{ numeric: ['=', 3] }] }, { n: 3 })).toBe(true);
    expect(matchesPattern({ n: [{ numeric: ['=', 3] }] }, { n: 3.1 })).toBe(false);
    expect(matchesPattern({ n: [{ numeric: ['<', 3] }] }, { n: 2.9 })).toBe(true);
    expect(matchesPattern({ n: [{ numeric: ['<', 3] }] }, { n: 3 })).toBe(false);
    expect(matchesPattern({ n: [{ numeric: ['<=', 3] }] }, { n: 3 })).toBe(true);
    expect(matchesPattern({ n: [{ numeric: ['>', 3] }] }, { n: 3 })).toBe(false);
    expect(matchesPattern({ n: [{ numeric: ['>=', 3] }] }, { n: 3 })).toBe(true);
  });

  it('only considers numbers', () => {
    const pattern: EventPattern = { n: [{ numeric: ['>', 0] }] };
    expect(matchesPattern(pattern, { n: '7' })).toBe(false);
    expect(matchesPattern(pattern, { n: true })).toBe(false);
    expect(matchesPattern(pattern, { n: null })).toBe(false);
    expect(matchesPattern(pattern, {})).toBe(false);
  });

  it('matches an array field if any element is in range', () => {
    const pattern: EventPattern = { n: [{ numeric: ['>=', 10, '<', 20] }] };
    expect(matchesPattern(pattern, { n: [1, 15, 30] })).toBe(true);
    expect(matchesPattern(pattern, { n: [1, 30] })).toBe(false);
  });
});

describe('assertValidPattern', () => {
  const invalid: [string, unknown][] = [
    ['a scalar field', { a: 'x' }],
    ['an unknown operator', { a: [{ suffix: 'x' }] }],
    ['two operators in one object', { a: [{ prefix: 'x', exists: true }] }],
    ['a non-string prefix', { a: [{ prefix: 1 }] }],
    ['a non-boolean exists', { a: [{ exists: 'yes' }] }],
    ['an empty anything-but list', { a: [{ 'anything-but': [] }] }],
    ['an anything-but object', { a: [{ 'anything-but': { x: 1 } }] }],
    ['an unknown numeric operator', { a: [{ numeric: ['!=', 1] }] }],
    ['a numeric string operand', { a: [{ numeric: ['>', '1'] }] }],
    ['an odd numeric list', { a: [{ numeric: ['>', 1, '<'] }] }],
    ['a numeric pair that is not a range', { a: [{ numeric: ['>', 1, '>', 2] }] }],
    ['an empty nested object', { detail: {} }],
    ['a nested array element', { a: [['x']] }],
  ];

  it.each(invalid)('rejects %s', (_label, pattern) => {
    expect(() => assertValidPattern(pattern as EventPattern)).toThrow(InvalidEventPatternError);
  });

  it('names the offending path', () => {
    expect(() => assertValidPattern({ detail: { v: [{ numeric: ['~', 1] }] } })).toThrow(/detail\.v/);
  });

  it('accepts every supported form', () => {
    expect(() =>
      assertValidPattern({
        source: ['llt.ingest', { prefix: 'llt.' }],
        detail: {
          v: [1, { 'anything-but': [2, 3] }],
          a: [null, true, { exists: false }],
          n: [{ numeric: ['<', 10, '>=', 0] }],
        },
      }),
    ).not.toThrow();
  });
});

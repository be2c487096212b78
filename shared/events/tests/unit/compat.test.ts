import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { breakingChanges, type JsonSchema } from '../../src/compat.ts';

// A type alias rather than an interface, so it stays assignable to JsonSchema's index signature.
type ObjectSchema = {
  type: 'object';
  properties: Record<string, JsonSchema>;
  required: string[];
  additionalProperties: false;
};
const object = (properties: Record<string, JsonSchema>, required = Object.keys(properties)): ObjectSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const num: JsonSchema = { type: 'number', minimum: 0 };
const str: JsonSchema = { type: 'string' };

const snapshot = object({
  v: { type: 'number', const: 1 },
  sessionId: str,
  reason: { type: 'string', enum: ['silence', 'pause', 'end'] },
  note: str,
  capture: object({ start: num, end: num }),
  tags: { type: 'array', items: str },
});
// `note` is the only optional field of the snapshot.
const base: ObjectSchema = { ...snapshot, required: ['v', 'sessionId', 'reason', 'capture', 'tags'] };

function withProperty(name: string, schema: JsonSchema | undefined, required?: boolean): JsonSchema {
  const properties = { ...base.properties };
  if (schema === undefined) delete properties[name];
  else properties[name] = schema;
  const requiredSet = new Set(base.required);
  if (required === true) requiredSet.add(name);
  if (required === false || schema === undefined) requiredSet.delete(name);
  return { ...base, properties, required: [...requiredSet] };
}

describe('breakingChanges', () => {
  it('finds nothing between a schema and itself', () => {
    expect(breakingChanges(base, structuredClone(base), 'detail')).toEqual([]);
  });

  it('reports a dropped field', () => {
    expect(breakingChanges(base, withProperty('sessionId', undefined), 'detail')).toEqual([
      'detail.sessionId: removed',
    ]);
  });

  it('reports a retyped field with its full path', () => {
    const after = withProperty('capture', object({ start: str, end: num }));
    expect(breakingChanges(base, after, 'detail')).toEqual(['detail.capture.start: type number -> string']);
  });

  it('reports an optional field that became required', () => {
    expect(breakingChanges(base, withProperty('note', str, true), 'detail')).toEqual([
      'detail.note: optional -> required',
    ]);
  });

  it('reports a required field that became optional, since consumers relied on it', () => {
    expect(breakingChanges(base, withProperty('sessionId', str, false), 'detail')).toEqual([
      'detail.sessionId: no longer required',
    ]);
  });

  it('reports a new required field', () => {
    expect(breakingChanges(base, withProperty('segmentId', str, true), 'detail')).toEqual([
      'detail.segmentId: new required field',
    ]);
  });

  it('reports a removed enum value', () => {
    const after = withProperty('reason', { type: 'string', enum: ['silence', 'end'] }, true);
    expect(breakingChanges(base, after, 'detail')).toEqual(['detail.reason: enum value "pause" removed']);
  });

  it('reports a changed literal', () => {
    const after = withProperty('v', { type: 'number', const: 2 }, true);
    expect(breakingChanges(base, after, 'detail')).toEqual(['detail.v: const 1 -> 2']);
  });

  it('reports a free value narrowed to an enum', () => {
    const after = withProperty('sessionId', { type: 'string', enum: ['a'] }, true);
    expect(breakingChanges(base, after, 'detail')).toEqual(['detail.sessionId: now restricted to "a"']);
  });

  it('reports a retyped array item', () => {
    const after = withProperty('tags', { type: 'array', items: num }, true);
    expect(breakingChanges(base, after, 'detail')).toEqual(['detail.tags[]: type string -> number']);
  });

  it('reports integer narrowing but accepts integer widened to number', () => {
    const int: JsonSchema = { type: 'integer' };
    const number: JsonSchema = { type: 'number' };
    expect(breakingChanges(number, int, 'x')).toEqual(['x: type number -> integer']);
    expect(breakingChanges(int, number, 'x')).toEqual([]);
  });

  it('reports tightened bounds and changed patterns, accepts loosened ones', () => {
    expect(breakingChanges({ type: 'number', minimum: 0 }, { type: 'number', exclusiveMinimum: 0 }, 'x')).toEqual([
      'x: lower bound >= 0 -> > 0',
    ]);
    expect(breakingChanges({ type: 'number', exclusiveMinimum: 0 }, { type: 'number', minimum: 0 }, 'x')).toEqual([]);
    expect(breakingChanges({ type: 'string' }, { type: 'string', minLength: 1 }, 'x')).toEqual([
      'x: minLength none -> 1',
    ]);
    expect(breakingChanges({ type: 'string', pattern: '^a$' }, { type: 'string', pattern: '^b$' }, 'x')).toEqual([
      'x: pattern "^a$" -> "^b$"',
    ]);
  });

  it('accepts an added optional field', () => {
    expect(breakingChanges(base, withProperty('speakerName', str, false), 'detail')).toEqual([]);
  });

  it('accepts an added enum value', () => {
    const after = withProperty('reason', { type: 'string', enum: ['silence', 'pause', 'end', 'max-length'] }, true);
    expect(breakingChanges(base, after, 'detail')).toEqual([]);
  });

  it('reports several changes at once', () => {
    const after: ObjectSchema = {
      ...base,
      properties: { ...base.properties, v: { type: 'string', const: '1' } },
      required: [...base.required, 'note'],
    };
    delete after.properties.tags;
    expect(breakingChanges(base, after, 'detail')).toEqual([
      'detail.v: type number -> string',
      'detail.note: optional -> required',
      'detail.tags: removed',
    ]);
  });

  describe('discriminated unions', () => {
    const audio = object({ kind: { type: 'string', const: 'audio' }, samples: { type: 'integer' } });
    const marker = object({ kind: { type: 'string', const: 'marker' }, marker: str });
    const union: JsonSchema = { oneOf: [audio, marker] };

    it('matches variants by discriminator and reports the variant in the path', () => {
      const retyped = object({ kind: { type: 'string', const: 'audio' }, samples: str });
      expect(breakingChanges(union, { oneOf: [marker, retyped] }, 'header')).toEqual([
        'header[kind=audio].samples: type integer -> string',
      ]);
    });

    it('reports a removed variant and accepts an added one', () => {
      expect(breakingChanges(union, { oneOf: [audio] }, 'header')).toEqual(['header[kind=marker]: variant removed']);
      const gap = object({ kind: { type: 'string', const: 'gap' } });
      expect(breakingChanges(union, { oneOf: [audio, marker, gap] }, 'header')).toEqual([]);
    });

    it('compares nested unions and plain unions', () => {
      expect(breakingChanges({ oneOf: [audio, { oneOf: [marker] }] }, union, 'header')).toEqual([]);
      const nullable: JsonSchema = { anyOf: [{ type: 'integer' }, { type: 'null' }] };
      expect(breakingChanges({ type: 'integer' }, nullable, 'x')).toEqual([]);
      expect(breakingChanges(nullable, { type: 'integer' }, 'x')).toEqual(['x<variant 1>: type null -> integer']);
    });
  });

  it('resolves local $refs', () => {
    const before: JsonSchema = {
      $defs: { span: object({ start: num }) },
      ...object({ capture: { $ref: '#/$defs/span' } }),
    };
    const after: JsonSchema = {
      $defs: { span: object({ start: str }) },
      ...object({ capture: { $ref: '#/$defs/span' } }),
    };
    expect(breakingChanges(before, after, 'detail')).toEqual(['detail.capture.start: type number -> string']);
  });

  it('terminates on recursive schemas and reports each place a shared definition is used', () => {
    const tree = (leaf: JsonSchema): JsonSchema => ({
      $defs: { node: object({ value: leaf, children: { type: 'array', items: { $ref: '#/$defs/node' } } }) },
      ...object({ left: { $ref: '#/$defs/node' }, right: { $ref: '#/$defs/node' } }),
    });
    expect(breakingChanges(tree(num), tree(str), 'detail')).toEqual([
      'detail.left.value: type number -> string',
      'detail.right.value: type number -> string',
    ]);
  });

  describe('on schemas generated by zod', () => {
    const v1 = z.object({ v: z.literal(1), sessionId: z.string(), capture: z.object({ start: z.number() }) });
    const json = (schema: z.ZodType) => z.toJSONSchema(schema) as JsonSchema;

    it('accepts .extend with an optional field', () => {
      expect(breakingChanges(json(v1), json(v1.extend({ speaker: z.string().optional() })), 'detail')).toEqual([]);
    });

    it('rejects .extend with a required field, .omit and a retype', () => {
      expect(breakingChanges(json(v1), json(v1.extend({ speaker: z.string() })), 'detail')).toEqual([
        'detail.speaker: new required field',
      ]);
      expect(breakingChanges(json(v1), json(v1.omit({ sessionId: true })), 'detail')).toEqual([
        'detail.sessionId: removed',
      ]);
      expect(
        breakingChanges(json(v1), json(v1.extend({ capture: z.object({ start: z.iso.datetime() }) })), 'detail'),
      ).toEqual(['detail.capture.start: type number -> string']);
    });
  });
});

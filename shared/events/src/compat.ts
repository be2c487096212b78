// Decides whether a contract's current JSON Schema may replace its committed snapshot within the same major version.
//
// Compatible means: every document valid under the snapshot is still valid (no new required field, no narrowed type,
// enum, literal or bound), and every field the snapshot guaranteed is still there and still guaranteed (no field
// removed, none made optional). Widening is compatible: a new optional field, an extra enum value or union variant,
// a looser bound. Anything reported here needs a new major version published side by side.

/** A JSON Schema as `z.toJSONSchema` writes it (draft 2020-12), or a boolean schema. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };
type SchemaObject = { readonly [keyword: string]: unknown };

interface Context {
  readonly beforeRoot: JsonSchema;
  readonly afterRoot: JsonSchema;
  /** `$ref` pairs being compared further up the current path, so recursive schemas terminate. */
  readonly refsSeen: Set<string>;
  readonly out: string[];
}

/**
 * Lists the changes from `before` (the committed snapshot) to `after` (the current schema) that would break a
 * producer or consumer of the same major version, as `<path>: <what changed>`, e.g.
 * `detail.capture.start: type number -> string`. An empty list means the change is compatible.
 */
export function breakingChanges(before: JsonSchema, after: JsonSchema, path = '$'): string[] {
  const context: Context = { beforeRoot: before, afterRoot: after, refsSeen: new Set(), out: [] };
  compare(before, after, path, context);
  return context.out;
}

function compare(beforeIn: JsonSchema, afterIn: JsonSchema, path: string, context: Context): void {
  const refKey = refPairKey(beforeIn, afterIn);
  if (refKey === undefined) {
    compareResolved(beforeIn, afterIn, path, context);
    return;
  }
  if (context.refsSeen.has(refKey)) return;
  context.refsSeen.add(refKey);
  try {
    compareResolved(beforeIn, afterIn, path, context);
  } finally {
    context.refsSeen.delete(refKey);
  }
}

function compareResolved(beforeIn: JsonSchema, afterIn: JsonSchema, path: string, context: Context): void {
  const before = deref(beforeIn, context.beforeRoot);
  const after = deref(afterIn, context.afterRoot);
  if (after === true || before === false) return;
  if (after === false) {
    context.out.push(`${path}: no value is accepted any more`);
    return;
  }
  if (before === true) {
    if (!isUnconstrained(after)) context.out.push(`${path}: accepted any value, now constrained`);
    return;
  }

  const beforeVariants = variants(before);
  const afterVariants = variants(after);
  if (beforeVariants.length === 0) return;
  if (afterVariants.length === 0) {
    context.out.push(`${path}: no value is accepted any more`);
    return;
  }
  if (beforeVariants.length > 1 || afterVariants.length > 1) {
    compareVariants(beforeVariants, afterVariants, path, context);
    return;
  }
  // A single variant may still carry sibling keywords (merged by variants()); compare the merged form.
  const b = beforeVariants[0]!;
  const a = afterVariants[0]!;
  if (!compareTypes(b, a, path, context)) return;
  compareValues(b, a, path, context);
  compareBounds(b, a, path, context);
  compareObjects(b, a, path, context);
  compareArrays(b, a, path, context);
}

// --- unions -------------------------------------------------------------------------------------------------------

/** anyOf/oneOf flattened (nested unions included), each variant merged with the keywords beside the union. */
function variants(schema: SchemaObject): SchemaObject[] {
  const union = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (!union) return [schema];
  const { anyOf: _anyOf, oneOf: _oneOf, ...siblings } = schema;
  return (union as JsonSchema[]).flatMap((variant) => {
    if (typeof variant === 'boolean') return variant ? [siblings] : [];
    return variants({ ...siblings, ...variant });
  });
}

function compareVariants(before: SchemaObject[], after: SchemaObject[], path: string, context: Context): void {
  const key = discriminator(before, after);
  if (key !== undefined) {
    for (const variant of before) {
      const value = singleValue(property(variant, key));
      const label = `${path}[${key}=${typeof value === 'string' ? value : formatValue(value)}]`;
      const match = after.find((candidate) => sameValue(singleValue(property(candidate, key)), value));
      if (match) compare(variant, match, label, context);
      else context.out.push(`${label}: variant removed`);
    }
    return;
  }
  // Plain unions (nullable, string | number…): each old variant must still fit some new variant; report the closest.
  before.forEach((variant, index) => {
    const label = before.length > 1 ? `${path}<variant ${index}>` : path;
    let best: string[] | undefined;
    for (const candidate of after) {
      const changes = breakingChangesWithin(variant, candidate, label, context);
      if (!best || changes.length < best.length) best = changes;
      if (best.length === 0) break;
    }
    context.out.push(...(best ?? [`${label}: variant removed`]));
  });
}

/** Compares two sub-schemas without touching the caller's findings, resolving `$ref`s against the same roots. */
function breakingChangesWithin(before: JsonSchema, after: JsonSchema, path: string, context: Context): string[] {
  const trial: Context = { ...context, refsSeen: new Set(context.refsSeen), out: [] };
  compare(before, after, path, trial);
  return trial.out;
}

/** A property whose single literal value tells the variants apart on both sides, e.g. `kind` or `action`. */
function discriminator(before: SchemaObject[], after: SchemaObject[]): string | undefined {
  const candidates = Object.keys(properties(before[0] ?? {}));
  return candidates.find((key) =>
    [before, after].every((side) => {
      const values = side.map((variant) => singleValue(property(variant, key)));
      if (values.some((value) => value === undefined)) return false;
      return new Set(values.map((value) => JSON.stringify(value))).size === values.length;
    }),
  );
}

// --- keywords -----------------------------------------------------------------------------------------------------

/** Returns false when the types are incompatible, so the caller does not report consequences of the same change. */
function compareTypes(before: SchemaObject, after: SchemaObject, path: string, context: Context): boolean {
  const afterTypes = types(after);
  if (afterTypes === undefined) return true;
  const beforeTypes = types(before);
  const accepts = (type: string) => afterTypes.includes(type) || (type === 'integer' && afterTypes.includes('number'));
  if (beforeTypes?.every(accepts)) return true;
  context.out.push(`${path}: type ${beforeTypes?.join('|') ?? 'any'} -> ${afterTypes.join('|')}`);
  return false;
}

function compareValues(before: SchemaObject, after: SchemaObject, path: string, context: Context): void {
  const afterValues = allowedValues(after);
  if (afterValues === undefined) return;
  const beforeValues = allowedValues(before);
  if (beforeValues === undefined) {
    context.out.push(`${path}: now restricted to ${afterValues.map(formatValue).join(', ')}`);
    return;
  }
  if ('const' in before && 'const' in after) {
    if (!sameValue(before.const, after.const)) {
      context.out.push(`${path}: const ${formatValue(before.const)} -> ${formatValue(after.const)}`);
    }
    return;
  }
  for (const value of beforeValues) {
    if (!afterValues.some((candidate) => sameValue(candidate, value))) {
      context.out.push(`${path}: enum value ${formatValue(value)} removed`);
    }
  }
}

const LOWER_LIMITS = ['minLength', 'minItems', 'minProperties'] as const;
const UPPER_LIMITS = ['maxLength', 'maxItems', 'maxProperties'] as const;
const EXACT_KEYWORDS = ['pattern', 'format', 'multipleOf'] as const;

function compareBounds(before: SchemaObject, after: SchemaObject, path: string, context: Context): void {
  const lowerBefore = numericBound(before, 'minimum', 'exclusiveMinimum', 1);
  const lowerAfter = numericBound(after, 'minimum', 'exclusiveMinimum', 1);
  if (narrows(lowerBefore, lowerAfter, 1)) {
    context.out.push(`${path}: lower bound ${formatBound(lowerBefore, '>')} -> ${formatBound(lowerAfter, '>')}`);
  }
  const upperBefore = numericBound(before, 'maximum', 'exclusiveMaximum', -1);
  const upperAfter = numericBound(after, 'maximum', 'exclusiveMaximum', -1);
  if (narrows(upperBefore, upperAfter, -1)) {
    context.out.push(`${path}: upper bound ${formatBound(upperBefore, '<')} -> ${formatBound(upperAfter, '<')}`);
  }
  for (const keyword of LOWER_LIMITS) {
    const a = numberAt(after, keyword);
    const b = numberAt(before, keyword);
    if (a !== undefined && (b === undefined || a > b)) context.out.push(`${path}: ${keyword} ${b ?? 'none'} -> ${a}`);
  }
  for (const keyword of UPPER_LIMITS) {
    const a = numberAt(after, keyword);
    const b = numberAt(before, keyword);
    if (a !== undefined && (b === undefined || a < b)) context.out.push(`${path}: ${keyword} ${b ?? 'none'} -> ${a}`);
  }
  // Whether one regex or format accepts everything another does is undecidable here; any change is reported.
  for (const keyword of EXACT_KEYWORDS) {
    if (after[keyword] !== undefined && !sameValue(before[keyword], after[keyword])) {
      context.out.push(
        `${path}: ${keyword} ${before[keyword] === undefined ? 'none' : formatValue(before[keyword])} -> ${formatValue(after[keyword])}`,
      );
    }
  }
}

function compareObjects(before: SchemaObject, after: SchemaObject, path: string, context: Context): void {
  const beforeProperties = properties(before);
  const afterProperties = properties(after);
  const beforeRequired = required(before);
  const afterRequired = required(after);
  for (const [key, schema] of Object.entries(beforeProperties)) {
    const at = join(path, key);
    const next = afterProperties[key];
    if (next === undefined) {
      context.out.push(`${at}: removed`);
      continue;
    }
    compare(schema, next, at, context);
    if (beforeRequired.has(key) && !afterRequired.has(key)) context.out.push(`${at}: no longer required`);
    if (!beforeRequired.has(key) && afterRequired.has(key)) context.out.push(`${at}: optional -> required`);
  }
  for (const key of new Set([...Object.keys(afterProperties), ...afterRequired])) {
    if (!(key in beforeProperties) && afterRequired.has(key))
      context.out.push(`${join(path, key)}: new required field`);
  }
  // Undeclared properties: only matter when the snapshot allowed them.
  const beforeExtra = (before.additionalProperties ?? true) as JsonSchema;
  const afterExtra = (after.additionalProperties ?? true) as JsonSchema;
  if (beforeExtra === false) return;
  if (afterExtra === false) context.out.push(`${path}: additional properties no longer allowed`);
  else compare(beforeExtra, afterExtra, join(path, '*'), context);
}

function compareArrays(before: SchemaObject, after: SchemaObject, path: string, context: Context): void {
  const beforeTuple = Array.isArray(before.prefixItems) ? (before.prefixItems as JsonSchema[]) : [];
  const afterTuple = Array.isArray(after.prefixItems) ? (after.prefixItems as JsonSchema[]) : [];
  const afterItems = (after.items ?? true) as JsonSchema;
  beforeTuple.forEach((schema, index) => {
    compare(schema, afterTuple[index] ?? afterItems, `${path}[${index}]`, context);
  });
  if (before.items !== undefined || after.items !== undefined) {
    compare((before.items ?? true) as JsonSchema, afterItems, `${path}[]`, context);
  }
}

// --- helpers ------------------------------------------------------------------------------------------------------

function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; hops < 32 && typeof current === 'object' && typeof current.$ref === 'string'; hops++) {
    const { $ref, ...siblings } = current;
    const target = resolvePointer(root, $ref as string);
    if (target === undefined) return current;
    current = typeof target === 'boolean' ? target : { ...target, ...siblings };
  }
  return current;
}

function resolvePointer(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return typeof node === 'boolean' || (node !== null && typeof node === 'object') ? (node as JsonSchema) : undefined;
}

function refPairKey(before: JsonSchema, after: JsonSchema): string | undefined {
  const b = typeof before === 'object' ? before.$ref : undefined;
  const a = typeof after === 'object' ? after.$ref : undefined;
  return typeof b === 'string' || typeof a === 'string' ? `${String(b)}|${String(a)}` : undefined;
}

function isUnconstrained(schema: SchemaObject): boolean {
  return Object.keys(schema).every((keyword) => keyword.startsWith('$') || keyword === 'description');
}

function types(schema: SchemaObject): string[] | undefined {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type as string[];
  return undefined;
}

function allowedValues(schema: SchemaObject): unknown[] | undefined {
  if ('const' in schema) return [schema.const];
  return Array.isArray(schema.enum) ? schema.enum : undefined;
}

function singleValue(schema: JsonSchema | undefined): unknown {
  if (schema === undefined || typeof schema === 'boolean') return undefined;
  const values = allowedValues(schema);
  return values?.length === 1 ? values[0] : undefined;
}

function properties(schema: SchemaObject): Record<string, JsonSchema> {
  const value = schema.properties;
  return value !== null && typeof value === 'object' ? (value as Record<string, JsonSchema>) : {};
}

function property(schema: SchemaObject, key: string): JsonSchema | undefined {
  return properties(schema)[key];
}

function required(schema: SchemaObject): Set<string> {
  return new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
}

function numberAt(schema: SchemaObject, keyword: string): number | undefined {
  const value = schema[keyword];
  return typeof value === 'number' ? value : undefined;
}

interface Bound {
  value: number;
  exclusive: boolean;
}

/** The tighter of an inclusive and an exclusive bound; `direction` 1 for lower bounds, -1 for upper bounds. */
function numericBound(
  schema: SchemaObject,
  inclusive: string,
  exclusive: string,
  direction: 1 | -1,
): Bound | undefined {
  const bounds: Bound[] = [];
  const i = numberAt(schema, inclusive);
  const e = numberAt(schema, exclusive);
  if (i !== undefined) bounds.push({ value: i, exclusive: false });
  if (e !== undefined) bounds.push({ value: e, exclusive: true });
  return bounds.reduce<Bound | undefined>(
    (tightest, bound) => (tightest === undefined || narrows(tightest, bound, direction) ? bound : tightest),
    undefined,
  );
}

function narrows(before: Bound | undefined, after: Bound | undefined, direction: 1 | -1): boolean {
  if (after === undefined) return false;
  if (before === undefined) return true;
  const delta = (after.value - before.value) * direction;
  return delta > 0 || (delta === 0 && after.exclusive && !before.exclusive);
}

function formatBound(bound: Bound | undefined, strict: '>' | '<'): string {
  if (bound === undefined) return 'none';
  return `${bound.exclusive ? strict : `${strict}=`} ${bound.value}`;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function formatValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function join(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

// EventBridge event-pattern matching for the pattern subset the project uses (one source of truth: @llt/events).
import type { EventPattern, PatternOperator, PatternValue } from '@llt/events';

/** A pattern EventBridge's PutRule would reject; thrown by `assertValidPattern`. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`Event pattern is not valid at ${path || '<root>'}: ${message}`, options);
    this.path = path;
  }
}

type Leaf = string | number | boolean | null;
type Literal = string | number | boolean | null;

const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>', '>=']);

/**
 * Does `event` match `pattern` the way an EventBridge rule would?
 *
 * Semantics follow EventBridge (event-ruler): every pattern field must match; a pattern array is an OR of its
 * elements; matching happens on leaf values only, so an array in the event contributes each of its elements and
 * an object is never a leaf; a field that is absent (or an empty array) only satisfies `{exists: false}`;
 * literals match by type and value (`"5"` never equals `5`); `numeric` and `prefix` only see numbers and strings.
 */
export function matchesPattern(pattern: EventPattern, event: object): boolean {
  return matchObject(pattern, [event]);
}

/**
 * Throws `InvalidEventPatternError` for patterns EventBridge would refuse at PutRule time, so a typo in a rule
 * fails loudly at wiring time instead of silently never matching.
 */
export function assertValidPattern(pattern: EventPattern, path = ''): void {
  if (!isPlainObject(pattern)) throw new InvalidEventPatternError(path, 'a pattern must be a JSON object');
  for (const [key, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (Array.isArray(value)) {
      for (const element of value as readonly unknown[]) assertValidElement(element, at);
    } else if (isPlainObject(value)) {
      if (Object.keys(value).length === 0) throw new InvalidEventPatternError(at, 'an empty object matches nothing');
      assertValidPattern(value as EventPattern, at);
    } else {
      throw new InvalidEventPatternError(at, 'a field must map to an array of match values or a nested object');
    }
  }
}

function assertValidElement(element: unknown, at: string): void {
  if (element === null || typeof element === 'string' || typeof element === 'boolean') return;
  if (typeof element === 'number') {
    if (!Number.isFinite(element)) throw new InvalidEventPatternError(at, 'numbers must be finite');
    return;
  }
  if (!isPlainObject(element)) throw new InvalidEventPatternError(at, `unsupported match value ${String(element)}`);
  const keys = Object.keys(element);
  if (keys.length !== 1) throw new InvalidEventPatternError(at, 'an operator object must have exactly one key');
  const op = element as Record<string, unknown>;
  if ('prefix' in op) {
    if (typeof op.prefix !== 'string') throw new InvalidEventPatternError(at, 'prefix must be a string');
  } else if ('exists' in op) {
    if (typeof op.exists !== 'boolean') throw new InvalidEventPatternError(at, 'exists must be true or false');
  } else if ('anything-but' in op) {
    const but = op['anything-but'];
    const values = Array.isArray(but) ? (but as unknown[]) : [but];
    if (values.length === 0) throw new InvalidEventPatternError(at, 'anything-but list must not be empty');
    for (const v of values) {
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) {
        throw new InvalidEventPatternError(at, 'anything-but takes a string, a number or a list of them');
      }
    }
  } else if ('numeric' in op) {
    assertValidNumeric(op.numeric, at);
  } else {
    throw new InvalidEventPatternError(at, `unsupported operator ${keys[0]}`);
  }
}

function assertValidNumeric(numeric: unknown, at: string): void {
  if (!Array.isArray(numeric) || numeric.length === 0 || numeric.length % 2 !== 0 || numeric.length > 4) {
    throw new InvalidEventPatternError(at, 'numeric takes one or two [operator, number] pairs');
  }
  for (let i = 0; i < numeric.length; i += 2) {
    const operator: unknown = numeric[i];
    const operand: unknown = numeric[i + 1];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator)) {
      throw new InvalidEventPatternError(at, `unknown numeric operator ${String(operator)}`);
    }
    if (typeof operand !== 'number' || !Number.isFinite(operand)) {
      throw new InvalidEventPatternError(at, `numeric operand must be a finite number, got ${String(operand)}`);
    }
  }
  if (numeric.length === 4) {
    // EventBridge only accepts a range: one lower bound and one upper bound.
    const [first, , second] = numeric as string[];
    const lower = (op: string | undefined) => op === '>' || op === '>=';
    const upper = (op: string | undefined) => op === '<' || op === '<=';
    if (!((lower(first) && upper(second)) || (upper(first) && lower(second)))) {
      throw new InvalidEventPatternError(at, 'a two-part numeric condition must be a range (one > or >=, one < or <=)');
    }
  }
}

/**
 * Matches a (nested) pattern against the candidate values found at its level. Several candidates arise when the
 * event has an array of objects; the whole sub-pattern must hold within one element, as event-ruler does, so
 * fields from different array elements never combine into a false match.
 */
function matchObject(pattern: EventPattern, candidates: readonly unknown[]): boolean {
  const objects = candidates.filter(isPlainObject);
  // No object here at all: every field is absent, which only `exists: false` can satisfy.
  if (objects.length === 0) return matchFieldsAgainst(pattern, undefined);
  return objects.some((obj) => matchFieldsAgainst(pattern, obj));
}

function matchFieldsAgainst(pattern: EventPattern, obj: Record<string, unknown> | undefined): boolean {
  for (const [key, value] of Object.entries(pattern)) {
    const fieldValues = obj && Object.hasOwn(obj, key) ? flatten(obj[key]) : [];
    if (!matchField(value, fieldValues)) return false;
  }
  return true;
}

function matchField(value: PatternValue, fieldValues: readonly unknown[]): boolean {
  if (!Array.isArray(value)) return matchObject(value as EventPattern, fieldValues);
  const leaves = fieldValues.filter(isLeaf);
  return (value as readonly (Literal | PatternOperator)[]).some((element) => matchElement(element, leaves));
}

function matchElement(element: Literal | PatternOperator, leaves: readonly Leaf[]): boolean {
  if (element === null || typeof element !== 'object') return leaves.some((leaf) => leaf === element);
  if ('exists' in element) return element.exists === leaves.length > 0;
  if ('prefix' in element) {
    return leaves.some((leaf) => typeof leaf === 'string' && leaf.startsWith(element.prefix));
  }
  if ('anything-but' in element) {
    const excluded: readonly (string | number)[] = Array.isArray(element['anything-but'])
      ? element['anything-but']
      : [element['anything-but'] as string | number];
    return leaves.some((leaf) => !excluded.some((ex) => ex === leaf));
  }
  if ('numeric' in element) {
    return leaves.some((leaf) => typeof leaf === 'number' && matchNumeric(element.numeric, leaf));
  }
  return false;
}

function matchNumeric(conditions: readonly (string | number)[], n: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const operand = conditions[i + 1];
    if (typeof operand !== 'number') return false;
    switch (conditions[i]) {
      case '<':
        if (!(n < operand)) return false;
        break;
      case '<=':
        if (!(n <= operand)) return false;
        break;
      case '=':
        if (n !== operand) return false;
        break;
      case '>':
        if (!(n > operand)) return false;
        break;
      case '>=':
        if (!(n >= operand)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** An event value as the list of values a pattern sees there: arrays (also nested ones) contribute their elements. */
function flatten(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [value];
  return value.flatMap(flatten);
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

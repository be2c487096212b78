// How an event contract is declared: its registry name, its major version and its detail schema.
import type { z } from 'zod';

export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  /** EventBridge `source`, `llt.<service>`. */
  readonly source: string;
  /** EventBridge `detail-type`, PascalCase past tense. */
  readonly detailType: string;
  /** Major version; also carried in `detail.v` so rules can route by version. */
  readonly version: number;
  readonly schema: S;
}

export function defineEvent<S extends z.ZodType>(
  source: string,
  detailType: string,
  version: number,
  schema: S,
): EventDefinition<S> {
  return Object.freeze({ source, detailType, version, schema });
}

/** Registry name of an event version, e.g. `llt.transcribe@TranscriptFinalized.v1`. */
export function registryName(def: EventDefinition): string {
  return `${def.source}@${def.detailType}.v${def.version}`;
}

/** The EventBridge pattern that matches exactly this event and major version. */
export function patternFor(def: EventDefinition): EventPattern {
  return { source: [def.source], 'detail-type': [def.detailType], detail: { v: [def.version] } };
}

/** One pattern matching any of these events of one source (a rule whose target handles each of them). */
export function patternForAny(...defs: readonly EventDefinition[]): EventPattern {
  const sources = [...new Set(defs.map((d) => d.source))];
  if (defs.length === 0 || sources.length !== 1) throw new Error('patternForAny takes events of one source');
  return {
    source: sources,
    'detail-type': [...new Set(defs.map((d) => d.detailType))],
    detail: { v: [...new Set(defs.map((d) => d.version))] },
  };
}

/** The subset of EventBridge's pattern language this project uses (see local/src/bus). */
export type EventPattern = {
  [key: string]: PatternValue;
};
export type PatternValue = readonly (string | number | boolean | null | PatternOperator)[] | EventPattern;
export type PatternOperator =
  | { readonly prefix: string }
  | { readonly 'anything-but': readonly (string | number)[] | string | number }
  | { readonly exists: boolean }
  | { readonly numeric: readonly (string | number)[] };

/** An EventBridge rule a service declares for one of its handlers; the CDK app and the local runtime build it. */
export interface RuleDefinition {
  name: string;
  pattern: EventPattern;
  /** The handler module under the service's src/handlers that the rule targets. */
  handler: string;
}

// In-process EventBridge bus: validates PutEvents entries like the real API, routes envelopes to rule targets.
import { randomUUID } from 'node:crypto';
import type { EventPattern } from '@llt/events';
import type { EventBridgeEvent } from 'aws-lambda';
import { assertValidPattern, matchesPattern } from './pattern.ts';

/** The envelope every target receives, as EventBridge builds it. */
export type BusEvent = EventBridgeEvent<string, unknown>;

export type RuleTarget = (event: BusEvent) => Promise<void>;
export type BusListener = (event: BusEvent) => void;

/** One PutEvents request entry, as the API (and the SDK's JSON on the wire) carries it. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  /** A Date, an ISO string, or epoch seconds (what the AWS JSON protocol sends). */
  Time?: Date | string | number;
  Resources?: string[];
  TraceHeader?: string;
}

/** One result entry: either an EventId or an ErrorCode with its ErrorMessage, in request order. */
export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** A delivery that exhausted its retries; EventBridge would send it to the target's dead-letter queue. */
export interface DeadLetter {
  readonly ruleName: string;
  readonly event: BusEvent;
  readonly attempts: number;
  readonly error: unknown;
  readonly failedAt: Date;
}

export interface EventBusStats {
  /** Events accepted by PutEvents. */
  eventsPut: number;
  /** Entries PutEvents reported as failed. */
  failedEntries: number;
  /** Target invocations that succeeded. */
  deliveries: number;
  /** Target invocations that threw or rejected. */
  targetErrors: number;
  /** Re-deliveries after a target error. */
  retries: number;
  /** Deliveries dropped to `deadLetters`. */
  deadLettered: number;
}

/** The whole PutEvents request is invalid (the API's ValidationException), not just some entries. */
export class PutEventsValidationError extends Error {
  override readonly name = 'PutEventsValidationError';
}

/** A rule target failed for one event; `willRetry` tells whether the bus tries again. */
export class TargetDeliveryError extends Error {
  override readonly name = 'TargetDeliveryError';
  constructor(
    readonly ruleName: string,
    readonly event: BusEvent,
    readonly attempt: number,
    readonly willRetry: boolean,
    options: { cause: unknown },
  ) {
    super(
      `Rule ${ruleName} target failed for event ${event.id} (${event.source} ${event['detail-type']}) on attempt ${attempt}` +
        `${willRetry ? ', retrying' : ', giving up'}: ${describe(options.cause)}`,
      options,
    );
  }
}

export interface LocalEventBusOptions {
  /** When set, entries naming another bus fail with ResourceNotFoundException; when unset any name is accepted. */
  name?: string;
  region?: string;
  account?: string;
  /** Re-deliveries after the first failed attempt (EventBridge retries; locally 2 keeps failures visible). */
  maxRetries?: number;
  /** First retry delay; doubles per retry. */
  retryBaseDelayMs?: number;
  onTargetError?: (error: TargetDeliveryError) => void;
  now?: () => Date;
}

/** PutEvents limits of the real API. */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_ENTRY_BYTES = 256 * 1024;

interface Rule {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly target: RuleTarget;
}

export class LocalEventBus {
  readonly name: string | undefined;
  readonly region: string;
  readonly account: string;
  /** Deliveries that failed on every attempt, oldest first. */
  readonly deadLetters: DeadLetter[] = [];

  readonly #rules = new Map<string, Rule>();
  readonly #listeners = new Set<BusListener>();
  readonly #maxRetries: number;
  readonly #retryBaseDelayMs: number;
  readonly #onTargetError: (error: TargetDeliveryError) => void;
  readonly #now: () => Date;
  readonly #stats: EventBusStats = {
    eventsPut: 0,
    failedEntries: 0,
    deliveries: 0,
    targetErrors: 0,
    retries: 0,
    deadLettered: 0,
  };
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: LocalEventBusOptions = {}) {
    this.name = options.name;
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '000000000000';
    this.#maxRetries = Math.max(0, options.maxRetries ?? 2);
    this.#retryBaseDelayMs = Math.max(0, options.retryBaseDelayMs ?? 20);
    this.#onTargetError = options.onTargetError ?? ((error) => console.error(error.message));
    this.#now = options.now ?? (() => new Date());
  }

  /** Adds a rule, or replaces the rule of that name (PutRule + PutTargets semantics). */
  addRule(name: string, pattern: EventPattern, target: RuleTarget): void {
    assertValidPattern(pattern);
    this.#rules.set(name, { name, pattern, target });
  }

  removeRule(name: string): boolean {
    return this.#rules.delete(name);
  }

  get ruleNames(): string[] {
    return [...this.#rules.keys()];
  }

  /** Observes every accepted event (before routing); returns the unsubscribe function. */
  subscribe(listener: BusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get stats(): Readonly<EventBusStats> {
    return { ...this.#stats };
  }

  /** Deliveries scheduled, running or waiting to retry. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * PutEvents: validates each entry, routes the valid ones and answers in the API's shape. Delivery happens
   * later, off the caller's stack, like the real bus; use `drain()` to wait for it.
   */
  putEvents(entries: readonly PutEventsEntry[]): PutEventsResult {
    if (!Array.isArray(entries)) throw new PutEventsValidationError('Entries must be a list.');
    if (entries.length < 1 || entries.length > MAX_ENTRIES_PER_CALL) {
      throw new PutEventsValidationError(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: ` +
          `Member must have length between 1 and ${MAX_ENTRIES_PER_CALL}, got ${entries.length}.`,
      );
    }
    const sizes = entries.map(entrySize);
    const total = sizes.reduce((a, b) => a + b, 0);
    // A single oversized entry is reported on that entry (below); only a request whose small entries add up
    // to more than the limit is refused as a whole, as the real API does.
    if (total > MAX_ENTRY_BYTES && sizes.every((size) => size <= MAX_ENTRY_BYTES)) {
      throw new PutEventsValidationError('Total size of the entries in the request is over the limit.');
    }

    const results: PutEventsResultEntry[] = [];
    const accepted: BusEvent[] = [];
    for (const [i, entry] of entries.entries()) {
      const built = this.#buildEvent(entry, sizes[i] ?? 0);
      if ('ErrorCode' in built) {
        results.push(built);
        this.#stats.failedEntries++;
      } else {
        results.push({ EventId: built.id });
        accepted.push(built);
      }
    }
    for (const event of accepted) this.#route(event);
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /** Resolves once no delivery is scheduled, running or waiting to retry (including ones started meanwhile). */
  drain(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #buildEvent(entry: PutEventsEntry, size: number): BusEvent | { ErrorCode: string; ErrorMessage: string } {
    if (entry === null || typeof entry !== 'object') return invalid('Entry', 'Entry must be an object.');
    if (this.name !== undefined && entry.EventBusName !== undefined && !this.#isThisBus(entry.EventBusName)) {
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${entry.EventBusName} does not exist.`,
      };
    }
    if (typeof entry.Source !== 'string' || entry.Source.length === 0) {
      return invalid('Source', 'Source is a required argument.');
    }
    if (typeof entry.DetailType !== 'string' || entry.DetailType.length === 0) {
      return invalid('DetailType', 'DetailType is a required argument.');
    }
    if (typeof entry.Detail !== 'string' || entry.Detail.length === 0) {
      return invalid('Detail', 'Detail is a required argument.');
    }
    if (size > MAX_ENTRY_BYTES) {
      return invalid('Entry', `Entry size ${size} bytes exceeds the ${MAX_ENTRY_BYTES} bytes limit.`);
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    // EventBridge requires the detail to be a JSON object; arrays and scalars are malformed too.
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const resources = entry.Resources ?? [];
    if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string')) {
      return invalid('Resources', 'Resources must be a list of strings.');
    }
    const time = entry.Time === undefined ? this.#now() : toDate(entry.Time);
    if (time === undefined) return invalid('Time', 'Time is not a valid timestamp.');
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.account,
      time: isoSeconds(time),
      region: this.region,
      resources: [...resources],
      detail,
    };
  }

  #isThisBus(nameOrArn: string): boolean {
    const name = nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
    return name === this.name;
  }

  #route(event: BusEvent): void {
    this.#stats.eventsPut++;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // An observer must never affect delivery; it only gets reported.
        console.error(`event bus listener threw: ${describe(error)}`);
      }
    }
    for (const rule of this.#rules.values()) {
      if (!matchesPattern(rule.pattern, event)) continue;
      this.#inFlight++;
      // Each target gets its own copy, as EventBridge serializes the event per target.
      const copy = structuredClone(event);
      setImmediate(() => void this.#deliver(rule, copy, 1));
    }
  }

  async #deliver(rule: Rule, event: BusEvent, attempt: number): Promise<void> {
    try {
      await rule.target(event);
      this.#stats.deliveries++;
      this.#settle();
    } catch (cause) {
      this.#stats.targetErrors++;
      const willRetry = attempt <= this.#maxRetries;
      this.#report(new TargetDeliveryError(rule.name, event, attempt, willRetry, { cause }));
      if (willRetry) {
        this.#stats.retries++;
        const delay = this.#retryBaseDelayMs * 2 ** (attempt - 1);
        setTimeout(() => void this.#deliver(rule, event, attempt + 1), delay);
        return;
      }
      this.deadLetters.push({ ruleName: rule.name, event, attempts: attempt, error: cause, failedAt: this.#now() });
      this.#stats.deadLettered++;
      this.#settle();
    }
  }

  #report(error: TargetDeliveryError): void {
    try {
      this.#onTargetError(error);
    } catch (callbackError) {
      console.error(`onTargetError threw: ${describe(callbackError)}`);
    }
  }

  #settle(): void {
    this.#inFlight--;
    if (this.#inFlight > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function invalid(parameter: string, reason: string): { ErrorCode: string; ErrorMessage: string } {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${reason}` };
}

/** Entry size as EventBridge counts it: UTF-8 bytes of Source, DetailType, Detail, Resources, plus 14 for Time. */
export function entrySize(entry: PutEventsEntry): number {
  if (entry === null || typeof entry !== 'object') return 0;
  let size = entry.Time === undefined ? 0 : 14;
  for (const field of [entry.Source, entry.DetailType, entry.Detail]) {
    if (typeof field === 'string') size += Buffer.byteLength(field, 'utf8');
  }
  if (Array.isArray(entry.Resources)) {
    for (const resource of entry.Resources) if (typeof resource === 'string') size += Buffer.byteLength(resource);
  }
  return size;
}

function toDate(time: Date | string | number): Date | undefined {
  const date = time instanceof Date ? time : typeof time === 'number' ? new Date(time * 1000) : new Date(String(time));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** EventBridge's `time` has second precision: `2017-12-22T18:43:48Z`. */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

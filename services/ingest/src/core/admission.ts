// Use cases: admit a live session only while the recognisers can keep every session in real time; hold, renew and
// release its place.
//   input: a session id; the admission ledger (who holds a place, until when) and the recognition workers' capacity
//   reports (measured on the machine locally, the stream quota on AWS)
//   output: admitted, or a ClientError `at_capacity` (503, with when to try again) and nothing started
//   primary course: read the ledger, drop lapsed places, and if the session holds none, take one when fewer are held
//   than the reports allow; write the ledger back conditionally on its version (retrying when another write came
//   first), so two speakers can never take the last place together.
import { AT_CAPACITY_RETRY_MS, type CapacityReport, type CapacityStatus } from '@llt/events';
import { ClientError } from '../errors.ts';
import type { IngestDeps } from './deps.ts';
import type { Admitted } from './ports.ts';

export interface AdmissionSettings {
  /** `off`: every session is admitted (a deployment that sizes itself another way). */
  mode: 'measured' | 'off';
  /** A place lapses this long after it was taken or last renewed (a speaker's hellos renew it every 5 s). */
  holdMs: number;
  /** A speaker who disconnected keeps the place this long, to reconnect. */
  reconnectGraceMs: number;
  /** Places when no recognition worker has reported (it is starting, or none runs): admit up to this many. */
  unreportedSessions: number;
}

/** Conditional writes lost to other writers before an admission gives up (and the speaker retries). */
const MAX_WRITE_ATTEMPTS = 8;

/**
 * The places the recognisers offer: the measured workers' sum (each holds its own sessions) plus the largest quota
 * (a quota is the deployment's, shared by every worker that reports it).
 */
export function capacityLimit(reports: readonly CapacityReport[], unreported: number): number {
  if (reports.length === 0) return unreported;
  const measured = reports.filter((r) => r.basis === 'measured').reduce((n, r) => n + r.sessions, 0);
  const quota = reports.filter((r) => r.basis === 'quota').reduce((n, r) => Math.max(n, r.sessions), 0);
  return measured + quota;
}

function live(held: Record<string, number>, now: number): Record<string, number> {
  return Object.fromEntries(Object.entries(held).filter(([, until]) => until > now));
}

/** Changes the ledger with `change` (given the places still held now) until a conditional write succeeds. */
async function update<T>(
  deps: IngestDeps,
  change: (held: Record<string, number>, now: number) => { held?: Record<string, number>; result: T },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const admitted = await deps.admissions.read();
    const now = deps.clock.now();
    const current = live(admitted.held, now);
    const { held, result } = change(current, now);
    if (!held) return result;
    const next: Admitted = { held, version: admitted.version };
    if (await deps.admissions.write(next)) return result;
    if (attempt >= MAX_WRITE_ATTEMPTS) {
      throw new ClientError('internal_error', 'Admission is busy; try again in a moment', 503);
    }
  }
}

/**
 * Admits `sessionId` (or renews its place) for holdMs; throws `at_capacity` when it holds no place and the
 * recognisers have none free.
 */
export async function admitSession(deps: IngestDeps, sessionId: string): Promise<void> {
  const settings = deps.settings.admission;
  if (settings.mode === 'off') return;
  // Most calls are the speaker's hellos renewing a place taken less than half its hold ago: one read, no write.
  const until = (await deps.admissions.read()).held[sessionId];
  if (until !== undefined && until - deps.clock.now() > settings.holdMs / 2) return;
  const reports = await deps.admissions.capacity(deps.clock.now());
  const limit = capacityLimit(reports, settings.unreportedSessions);
  type Outcome = { admitted: boolean; renewed: boolean; count: number };
  const outcome = await update<Outcome>(deps, (held, now) => {
    const count = Object.keys(held).length;
    const renewed = held[sessionId] !== undefined;
    if (!renewed && count >= limit) return { result: { admitted: false, renewed, count } };
    // A place renewed less than half its hold ago is left as it is: no write for most hellos.
    if (renewed && held[sessionId]! - now > settings.holdMs / 2) return { result: { admitted: true, renewed, count } };
    return { held: { ...held, [sessionId]: now + settings.holdMs }, result: { admitted: true, renewed, count } };
  });
  if (outcome.admitted) {
    if (!outcome.renewed) {
      deps.metrics.count('SessionsAdmitted');
      deps.log.info('session admitted', { sessionId, limit });
    }
    return;
  }
  deps.metrics.count('SessionsRefusedAtCapacity');
  const why = reports.map((r) => r.limitedBy).find(Boolean);
  deps.log.warn('session refused: at capacity', {
    sessionId,
    admitted: outcome.count,
    limit,
    ...(why ? { limitedBy: why } : {}),
  });
  throw atCapacity(outcome.count, limit, why);
}

/** The refusal the speaker reads; `limitedBy` is the worker's reason (a measurement still running, a lag, …). */
export function atCapacity(admitted: number, limit: number, limitedBy?: string): ClientError {
  const seconds = Math.round(AT_CAPACITY_RETRY_MS / 1000);
  return new ClientError(
    'at_capacity',
    `This server is at capacity: its speech recognition keeps ${limit} live session${limit === 1 ? '' : 's'} in real time and ${admitted === 1 ? 'one is' : `${admitted} are`} live.${limitedBy ? ` Limited by: ${limitedBy}.` : ''} Try again in ${seconds} s.`,
    503,
    { retryAfterMs: AT_CAPACITY_RETRY_MS },
  );
}

/** Keeps the session's place only until `graceMs` from now (its speaker disconnected). */
export async function holdAdmissionFor(deps: IngestDeps, sessionId: string, graceMs: number): Promise<void> {
  if (deps.settings.admission.mode === 'off') return;
  await update(deps, (held, now) => {
    if (held[sessionId] === undefined || held[sessionId]! <= now + graceMs) return { result: undefined };
    return { held: { ...held, [sessionId]: now + graceMs }, result: undefined };
  });
}

/** Gives the session's place back (it ended). */
export async function releaseAdmission(deps: IngestDeps, sessionId: string): Promise<void> {
  if (deps.settings.admission.mode === 'off') return;
  await update(deps, (held) => {
    if (held[sessionId] === undefined) return { result: undefined };
    const { [sessionId]: _gone, ...rest } = held;
    return { held: rest, result: undefined };
  });
}

/** GET /api/capacity: would a new session be admitted now; does `sessionId` hold a place. */
export async function capacityStatus(deps: IngestDeps, sessionId?: string): Promise<CapacityStatus> {
  const settings = deps.settings.admission;
  const now = deps.clock.now();
  const held = live((await deps.admissions.read()).held, now);
  const admitted = Object.keys(held).length;
  if (settings.mode === 'off') {
    return { admitting: true, admitted, limit: admitted + 1, ...(sessionId ? { holds: true } : {}) };
  }
  const limit = capacityLimit(await deps.admissions.capacity(now), settings.unreportedSessions);
  const admitting = admitted < limit;
  return {
    admitting,
    admitted,
    limit,
    ...(sessionId ? { holds: held[sessionId] !== undefined } : {}),
    ...(admitting ? {} : { retryAfterMs: AT_CAPACITY_RETRY_MS }),
  };
}

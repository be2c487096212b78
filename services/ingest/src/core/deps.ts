// Everything the ingest use cases are given: ports, clock, logging, and the settings from config.
import type { DeploymentLanguages } from '@llt/events';
import type { AdmissionSettings } from './admission.ts';
import type {
  AdmissionLedger,
  AudioSink,
  ClientChannel,
  Clock,
  ConnectionStore,
  EventPublisher,
  RateLimiter,
  ServiceLog,
  ServiceMetrics,
  SessionStore,
} from './ports.ts';

export interface IngestSettings {
  /** What this deployment's engines offer; anything else is refused at session creation and at join. */
  languages: DeploymentLanguages;
  /** How long a session (and its speaker token) lives. */
  sessionTtlMs: number;
  /** Failed join attempts (unknown join code) a client IP may make in a one-minute window before it is refused. */
  joinAttemptsPerMinute: number;
  /** Messages a second one connection may send on average (token bucket per connection, per instance). */
  messagesPerSecond: number;
  /**
   * `cognito`: a session is created by a signed-in speaker (the HTTP API's JWT authorizer) and only that user may
   * connect as its speaker; `session-token`: the session's speaker token is the only check.
   */
  speakerAuth: 'cognito' | 'session-token';
  /** Admission of live sessions by the recognisers' measured capacity. */
  admission: AdmissionSettings;
}

export interface IngestDeps {
  sessions: SessionStore;
  connections: ConnectionStore;
  audio: AudioSink;
  events: EventPublisher;
  clients: ClientChannel;
  rateLimits: RateLimiter;
  admissions: AdmissionLedger;
  clock: Clock;
  log: ServiceLog;
  metrics: ServiceMetrics;
  settings: IngestSettings;
}

// Names and key schemas of the shared stateful resources. The CDK app and the local runtime both build them
// from these definitions, so a table or stream looks the same in both places.

export interface TableDefinition {
  name: string;
  partitionKey: string;
  sortKey?: string;
  /** Epoch-seconds attribute DynamoDB's TTL deletes items by (the local runtime sweeps it itself). */
  ttlAttribute: string;
}

export const SESSIONS_TABLE: TableDefinition = {
  name: 'llt-sessions',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
};
/**
 * Item keys of the sessions table, shared by the services that read it (ingest writes listeners; notify reads
 * them for fan-out): `SESSION#<id>` / `LISTENER#<lang>#<connectionId>`.
 */
export const sessionTableKeys = {
  session: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'META' }),
  listener: (sessionId: string, language: string, connectionId: string) => ({
    pk: `SESSION#${sessionId}`,
    sk: `LISTENER#${language}#${connectionId}`,
  }),
  /** Marks a segment as fanned out by one workflow execution, so a redelivered event fans out nothing. */
  fanout: (sessionId: string, segmentId: string) => ({ pk: `SESSION#${sessionId}`, sk: `FANOUT#${segmentId}` }),
  /** Marks one part of a segment's speech in one language as sent, so a part made twice reaches listeners once. */
  speechPart: (sessionId: string, segmentId: string, language: string, part: number) => ({
    pk: `SESSION#${sessionId}`,
    sk: `SPOKEN#${segmentId}#${language}#${part}`,
  }),
  /** When a language last lost a listener: it keeps being translated for a while, for listeners reconnecting. */
  recentLanguage: (sessionId: string, language: string) => ({
    pk: `SESSION#${sessionId}`,
    sk: `RECENT#${language}`,
  }),
  recentLanguagePrefix: 'RECENT#',
  /**
   * One version of the session's glossary (its entries, never changed once written; the session item's
   * `glossaryVersion` names the current one). A consumer holding an event made with version N reads version N.
   */
  glossary: (sessionId: string, version: number) => ({
    pk: `SESSION#${sessionId}`,
    sk: `GLOSSARY#${String(version).padStart(6, '0')}`,
  }),
  /**
   * One client's attempts of one kind (e.g. `join`) in the fixed window starting at `windowStart` (epoch ms): an
   * atomic counter item, expired by the table's TTL soon after its window ends.
   */
  rateLimit: (kind: string, client: string, windowStart: number) => ({
    pk: `RATE#${kind}#${client}`,
    sk: String(windowStart),
  }),
  /**
   * One transcription worker's capacity report (what it can hold, from what it measures), rewritten about once a
   * second and expired by the table's TTL when the worker is gone.
   */
  capacityReport: (workerId: string) => ({ pk: 'CAPACITY', sk: `WORKER#${workerId}` }),
  capacityReportPrefix: 'WORKER#',
  /**
   * What a session was last measured to cost on one machine (by host name), kept for days so a restarted worker
   * starts from it instead of admitting one session at a time until it has measured again.
   */
  sessionCost: (host: string) => ({ pk: 'CAPACITY', sk: `COST#${host}` }),
  /**
   * The sessions admitted as live, each with when its admission lapses unless renewed: one item, changed only
   * by conditional writes on its version, so two speakers can never take the last place together.
   */
  admissions: { pk: 'CAPACITY', sk: 'ADMITTED' },
  /** sk prefix of a session's listeners, of one language when given. */
  listenerPrefix: (language?: string) => (language ? `LISTENER#${language}#` : 'LISTENER#'),
} as const;

/** How long a language that lost its last listener is still translated, so a dropped phone catches up. */
export const RECENT_LANGUAGE_MS = 120_000;

export const CONNECTIONS_TABLE: TableDefinition = {
  name: 'llt-connections',
  partitionKey: 'connectionId',
  ttlAttribute: 'ttl',
};
/** Finalized transcripts per session (transcribe's idempotency ledger; the session's transcript). */
export const TRANSCRIPTS_TABLE: TableDefinition = {
  name: 'llt-transcripts',
  partitionKey: 'sessionId',
  sortKey: 'segment',
  ttlAttribute: 'ttl',
};
/** Final captions per session and language (notify's log: listeners catch up and download transcripts from it). */
export const CAPTIONS_TABLE: TableDefinition = {
  name: 'llt-captions',
  partitionKey: 'sessionId',
  sortKey: 'entry',
  ttlAttribute: 'ttl',
};
/** Sort key of a caption in CAPTIONS_TABLE: per language, in segment order. */
export const captionEntry = {
  key: (language: string, segmentIndex: number) => `${language}#${String(segmentIndex).padStart(10, '0')}`,
  prefix: (language: string) => `${language}#`,
} as const;
/**
 * Transcribe's stream workers coordinate here: one lease per shard of the audio stream (`shard#<shardId>`: owner,
 * version counter, pending handoff, checkpoint with the high-water mark and each session's resume point) and one
 * heartbeat per live worker (`worker#<workerId>`), so workers share the shards and a new owner resumes where the
 * last one stopped.
 */
export const SHARD_LEASES_TABLE: TableDefinition = {
  name: 'llt-shard-leases',
  partitionKey: 'leaseKey',
  ttlAttribute: 'ttl',
};
/**
 * Translate's memo of the pieces of utterances in progress as they were translated, so a clause and the final read
 * them back instead of paying the engine again: one item per session, segment, target language and increment,
 * expired a few hours after it was written (no entry is ever read across sessions).
 */
export const TRANSLATION_MEMO_TABLE: TableDefinition = {
  name: 'llt-translation-memo',
  partitionKey: 'utterance',
  sortKey: 'increment',
  ttlAttribute: 'ttl',
};
/** Keys of TRANSLATION_MEMO_TABLE: `<sessionId>#<segmentIndex>#<language>` / the increment number, zero-padded. */
export const translationMemoKeys = {
  utterance: (sessionId: string, segmentIndex: number, language: string) => `${sessionId}#${segmentIndex}#${language}`,
  increment: (increment: number) => String(increment).padStart(6, '0'),
  /** How long an entry is kept: the longest utterance and its retried tasks are over long before. */
  keepSeconds: 6 * 3600,
} as const;
export const AUDIO_STREAM_NAME = 'llt-audio';
export const AUDIO_BUCKET_NAME = 'llt-audio';
/**
 * The transcription workers' registered consumer of the audio stream (enhanced fan-out): the stream pushes each
 * shard's records to it over HTTP/2 about 70 ms after the put, instead of the workers polling (5 GetRecords a second
 * per shard at most, shared by every reader).
 */
export const AUDIO_STREAM_CONSUMER_NAME = 'llt-transcribe';
/**
 * Synthesized speech in the audio bucket: one object per segment and language, kept for a day (S3 lifecycle
 * rule on AWS, a sweeper locally); listeners fetch them through short-lived presigned URLs.
 */
export const AUDIO_OBJECTS = {
  prefix: 'sessions/',
  retentionDays: 1,
  key: (sessionId: string, language: string, segmentId: string, extension: string) =>
    `sessions/${sessionId}/${language}/${segmentId}.${extension}`,
} as const;

/**
 * Custom vocabulary tables in the audio bucket: one tab-separated file per session glossary version, which Amazon
 * Transcribe reads while it builds the vocabulary (minutes) and never again; kept for a day (S3 lifecycle rule).
 */
export const VOCABULARY_FILES = {
  prefix: 'vocabularies/',
  retentionDays: 1,
  key: (sessionId: string, version: number) => `vocabularies/${sessionId}/v${version}.txt`,
} as const;

/** Environment variables the handlers read their resource names from. */
export const RESOURCE_ENV = {
  sessionsTable: 'LLT_SESSIONS_TABLE',
  connectionsTable: 'LLT_CONNECTIONS_TABLE',
  transcriptsTable: 'LLT_TRANSCRIPTS_TABLE',
  shardLeasesTable: 'LLT_SHARD_LEASES_TABLE',
  captionsTable: 'LLT_CAPTIONS_TABLE',
  translationMemoTable: 'LLT_TRANSLATION_MEMO_TABLE',
  audioStream: 'LLT_AUDIO_STREAM',
  audioStreamConsumer: 'LLT_AUDIO_CONSUMER_ARN',
  audioBucket: 'LLT_AUDIO_BUCKET',
  eventBus: 'LLT_EVENT_BUS',
  websocketManagementEndpoint: 'LLT_WS_MANAGEMENT_ENDPOINT',
} as const;

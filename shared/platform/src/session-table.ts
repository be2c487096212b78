// Reading the sessions table the way ingest writes it: a session's listeners (ingest at session end, notify on
// every fan-out) and the few session fields other services may read, over the layout in `sessionTableKeys`.
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CapacityReport, type GlossaryEntry } from '@llt/events';
import { sessionTableKeys } from './resources.ts';

export interface SessionListener {
  connectionId: string;
  language: string;
  /**
   * When ingest recorded the listener, during its $connect (epoch ms; absent on items written before it was kept).
   * Until $connect returns, API Gateway answers a post to the connection 410 as if it were gone.
   */
  joinedAt?: number;
}

export async function querySessionListeners(
  db: DynamoDBDocumentClient,
  table: string,
  sessionId: string,
  options: { language?: string; consistent?: boolean } = {},
): Promise<SessionListener[]> {
  const listeners: SessionListener[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': sessionTableKeys.session(sessionId).pk,
          ':prefix': sessionTableKeys.listenerPrefix(options.language),
        },
        ProjectionExpression: 'connectionId, #language, joinedAt',
        ExpressionAttributeNames: { '#language': 'language' },
        ConsistentRead: options.consistent ?? false,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      listeners.push({
        connectionId: item.connectionId,
        language: item.language,
        ...(typeof item.joinedAt === 'number' ? { joinedAt: item.joinedAt } : {}),
      });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return listeners;
}

/** What services other than ingest may read of a session: whether it is live, and its speaker's connection. */
export interface SessionSummary {
  sessionId: string;
  status: string;
  sourceLanguage: string;
  targetLanguages: string[];
  speakerConnectionId?: string;
}

export async function getSessionSummary(
  db: DynamoDBDocumentClient,
  table: string,
  sessionId: string,
): Promise<SessionSummary | undefined> {
  const out = await db.send(
    new GetCommand({
      TableName: table,
      Key: sessionTableKeys.session(sessionId),
      ProjectionExpression: 'sessionId, #status, sourceLanguage, targetLanguages, speakerConnectionId',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  return out.Item as SessionSummary | undefined;
}

/** Languages whose last listener left at or after `since` (epoch ms). */
export async function querySessionRecentLanguages(
  db: DynamoDBDocumentClient,
  table: string,
  sessionId: string,
  since: number,
): Promise<string[]> {
  const page = await db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'leftAt >= :since',
      ExpressionAttributeValues: {
        ':pk': sessionTableKeys.session(sessionId).pk,
        ':prefix': sessionTableKeys.recentLanguagePrefix,
        ':since': since,
      },
      ProjectionExpression: '#language',
      ExpressionAttributeNames: { '#language': 'language' },
    }),
  );
  return (page.Items ?? []).map((item) => item.language as string);
}

/** One version of a session's glossary as ingest stored it. */
export interface SessionGlossary {
  version: number;
  entries: GlossaryEntry[];
}

/** The version of the session's glossary that holds now (0: the session has none, or does not exist). */
export async function getSessionGlossaryVersion(
  db: DynamoDBDocumentClient,
  table: string,
  sessionId: string,
  options: { consistent?: boolean } = {},
): Promise<number> {
  const out = await db.send(
    new GetCommand({
      TableName: table,
      Key: sessionTableKeys.session(sessionId),
      ProjectionExpression: 'glossaryVersion',
      ConsistentRead: options.consistent ?? false,
    }),
  );
  return typeof out.Item?.glossaryVersion === 'number' ? out.Item.glossaryVersion : 0;
}

/**
 * A version of the session's glossary (versions are written once and never change, so any read of one is as good
 * as any other and may be kept); without `version`, the one that holds now. Undefined when there is none.
 */
export async function getSessionGlossary(
  db: DynamoDBDocumentClient,
  table: string,
  sessionId: string,
  version?: number,
): Promise<SessionGlossary | undefined> {
  const wanted = version ?? (await getSessionGlossaryVersion(db, table, sessionId, { consistent: true }));
  if (wanted <= 0) return undefined;
  const out = await db.send(
    new GetCommand({
      TableName: table,
      Key: sessionTableKeys.glossary(sessionId, wanted),
      ProjectionExpression: 'version, entries',
      // A version is written before the session item names it; a strongly consistent read sees it at once.
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return undefined;
  return { version: out.Item.version as number, entries: (out.Item.entries ?? []) as GlossaryEntry[] };
}

/**
 * A session's glossary versions, read with getSessionGlossary and kept per execution environment (a few, the most
 * recent): a version is written once and never changes, every sentence of a session names the same version until
 * the speaker edits the glossary, and one read serves them all. The cache only saves reads: a fresh environment
 * reads again and gets the same entries; a missing version or a failed read is not kept.
 */
/** Versions kept per environment: one per live session it serves is enough; the oldest read goes first. */
const DEFAULT_CACHED_VERSIONS = 64;

export class CachedSessionGlossaries {
  readonly #cache = new Map<string, Promise<readonly GlossaryEntry[] | undefined>>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly maxCached = DEFAULT_CACHED_VERSIONS,
  ) {}

  get(sessionId: string, version: number): Promise<readonly GlossaryEntry[] | undefined> {
    const key = `${sessionId}#${version}`;
    const cached = this.#cache.get(key);
    if (cached) {
      // Most recently used last, so eviction takes the version no sentence asked for the longest.
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const read = getSessionGlossary(this.db, this.table, sessionId, version).then((glossary) => {
      // Not there (yet): nothing is kept, the next sentence reads again.
      if (!glossary) this.#cache.delete(key);
      return glossary?.entries;
    });
    // A failed read is not kept either.
    read.catch(() => this.#cache.delete(key));
    this.#cache.set(key, read);
    while (this.#cache.size > this.maxCached) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.delete(oldest);
    }
    return read;
  }
}

/**
 * A capacity report is taken as current for this long after it was written (reports come about once a second); an
 * older one is from a worker that stopped or hangs, and counts for nothing.
 */
export const CAPACITY_REPORT_FRESH_MS = 10_000;

/** Writes a transcription worker's capacity report (the table's TTL removes it a while after the worker is gone). */
export async function putCapacityReport(
  db: DynamoDBDocumentClient,
  table: string,
  report: CapacityReport,
): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...sessionTableKeys.capacityReport(report.workerId),
        ...report,
        expiresAt: Math.ceil((report.updatedAt + 10 * CAPACITY_REPORT_FRESH_MS) / 1000),
      },
    }),
  );
}

/** How long a machine's measured session cost is kept for a restarted worker to start from. */
export const SESSION_COST_KEEP_MS = 7 * 24 * 3600_000;

/** A session's cost as last measured on `host`, in cores, and when. */
export interface MeasuredSessionCost {
  sessionCores: number;
  measuredAt: number;
}

export async function putSessionCost(
  db: DynamoDBDocumentClient,
  table: string,
  host: string,
  cost: MeasuredSessionCost,
): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...sessionTableKeys.sessionCost(host),
        sessionCores: cost.sessionCores,
        measuredAt: cost.measuredAt,
        expiresAt: Math.ceil((cost.measuredAt + SESSION_COST_KEEP_MS) / 1000),
      },
    }),
  );
}

/** The cost last measured on `host` within SESSION_COST_KEEP_MS of `now`, if any. */
export async function getSessionCost(
  db: DynamoDBDocumentClient,
  table: string,
  host: string,
  now: number,
): Promise<MeasuredSessionCost | undefined> {
  const { Item } = await db.send(
    new GetCommand({ TableName: table, Key: sessionTableKeys.sessionCost(host), ConsistentRead: true }),
  );
  const sessionCores = Item?.sessionCores;
  const measuredAt = Item?.measuredAt;
  if (typeof sessionCores !== 'number' || !(sessionCores > 0) || typeof measuredAt !== 'number') return undefined;
  if (now - measuredAt > SESSION_COST_KEEP_MS) return undefined;
  return { sessionCores, measuredAt };
}

/** Every worker's capacity report written within CAPACITY_REPORT_FRESH_MS of `now` (malformed ones skipped). */
export async function queryFreshCapacityReports(
  db: DynamoDBDocumentClient,
  table: string,
  now: number,
): Promise<CapacityReport[]> {
  const page = await db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': sessionTableKeys.capacityReport('').pk,
        ':prefix': sessionTableKeys.capacityReportPrefix,
      },
      ConsistentRead: true,
    }),
  );
  const reports: CapacityReport[] = [];
  for (const item of page.Items ?? []) {
    const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...fields } = item;
    const parsed = CapacityReport.safeParse(fields);
    if (parsed.success && now - parsed.data.updatedAt <= CAPACITY_REPORT_FRESH_MS) reports.push(parsed.data);
  }
  return reports;
}

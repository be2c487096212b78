// Sessions, join codes and listener membership in DynamoDB (one table, pk/sk), connections in a second table.
//   SESSION#<id> / META                  the session, its speaker connection and its frame ledger
//                                        (framesUpTo: N, framesAbove: NS, framesClaimed: M seq → ms; see
//                                        #core/sequence)
//   SESSION#<id> / LISTENER#<lang>#<conn> one item per listener, queried for fan-out and session end
//   SESSION#<id> / GLOSSARY#<version>     one version of the session's glossary, written once; the session's
//                                        glossaryVersion names the one that holds
//   CODE#<code>  / CODE                  join code → session id (conditional put keeps codes unique)
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { GlossaryEntry } from '@llt/events';
import {
  getSessionGlossary,
  isConditionalCheckFailed,
  querySessionListeners,
  RECENT_LANGUAGE_MS,
  sessionTableKeys,
} from '@llt/platform';
import type { ConnectionRecord, ConnectionStore, ListenerEntry, SessionRecord, SessionStore } from '#core/ports';
import { type FrameLedger, STALE_CLAIM_MS } from '#core/sequence';
import { JoinCodeTakenError } from '#errors';

/** Items outlive their session by a day so late lookups get "ended" rather than "unknown". */
const TTL_GRACE_S = 24 * 3600;
const ttl = (expiresAtMs: number) => Math.ceil(expiresAtMs / 1000) + TTL_GRACE_S;
const sessionKey = sessionTableKeys.session;
const listenerKey = (sessionId: string, e: ListenerEntry) =>
  sessionTableKeys.listener(sessionId, e.language, e.connectionId);

export class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(session: SessionRecord, glossary?: GlossaryEntry[]): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `CODE#${session.joinCode}`,
            sk: 'CODE',
            sessionId: session.sessionId,
            ttl: ttl(session.expiresAt),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error))
        throw new JoinCodeTakenError(`join code ${session.joinCode} is in use`, { cause: error });
      throw error;
    }
    const { frames: _frames, ...rest } = session;
    // The version first: whoever reads the session's glossaryVersion finds its entries.
    if (glossary && session.glossaryVersion) {
      await this.putGlossary(session.sessionId, session.glossaryVersion, glossary, session.expiresAt);
    }
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        // The ledger exists from the start, so a claim's expressions stay short (and a claim can set a key of the
        // claims map, which needs the map).
        Item: {
          ...sessionKey(session.sessionId),
          ...rest,
          framesUpTo: -1,
          framesClaimed: {},
          ttl: ttl(session.expiresAt),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const item = await this.item(sessionId);
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, ttl: _ttl, framesUpTo, framesAbove: _a, framesClaimed: _c, ...rest } = item;
    return {
      ...(rest as unknown as SessionRecord),
      ...(typeof framesUpTo === 'number' ? { frames: ledgerOf(item) } : {}),
    };
  }

  private async item(sessionId: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: sessionKey(sessionId), ConsistentRead: true }),
    );
    return out.Item;
  }

  async sessionIdForJoinCode(joinCode: string): Promise<string | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `CODE#${joinCode}`, sk: 'CODE' } }),
    );
    return out.Item?.sessionId as string | undefined;
  }

  async attachSpeaker(sessionId: string, connectionId: string): Promise<'attached' | 'taken' | 'not-live'> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: sessionKey(sessionId),
          UpdateExpression: 'SET speakerConnectionId = :c',
          ConditionExpression: '#status = :live AND attribute_not_exists(speakerConnectionId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':c': connectionId, ':live': 'live' },
        }),
      );
      return 'attached';
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const session = await this.get(sessionId);
      return session?.status === 'live' ? 'taken' : 'not-live';
    }
  }

  async detachSpeaker(sessionId: string, connectionId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: sessionKey(sessionId),
          UpdateExpression: 'REMOVE speakerConnectionId',
          ConditionExpression: 'speakerConnectionId = :c',
          ExpressionAttributeValues: { ':c': connectionId },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error; // another connection is the speaker now: leave it
    }
  }

  async addListener(sessionId: string, entry: ListenerEntry, expiresAt: number): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...listenerKey(sessionId, entry), ...entry, ttl: ttl(expiresAt) },
      }),
    );
  }

  async removeListener(sessionId: string, entry: ListenerEntry, at: number = Date.now()): Promise<void> {
    await Promise.all([
      this.db.send(new DeleteCommand({ TableName: this.table, Key: listenerKey(sessionId, entry) })),
      // The language stays translated a little longer (notify reads this), so a listener whose phone dropped
      // finds the sentences it missed in the caption history when it reconnects.
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...sessionTableKeys.recentLanguage(sessionId, entry.language),
            language: entry.language,
            leftAt: at,
            ttl: ttl(at + RECENT_LANGUAGE_MS),
          },
        }),
      ),
    ]);
  }

  async listListeners(sessionId: string): Promise<ListenerEntry[]> {
    return querySessionListeners(this.db, this.table, sessionId, { consistent: true });
  }

  async claimFrame(
    sessionId: string,
    connectionId: string,
    seq: number,
    now: number,
  ): Promise<{ outcome: 'claimed'; previous: FrameLedger } | { outcome: 'duplicate' | 'not-speaker' | 'not-live' }> {
    try {
      return { outcome: 'claimed', previous: await this.claim(sessionId, connectionId, seq, now) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // Refusals are rare (resends, a replaced or ended speaker): read why.
    const item = await this.item(sessionId);
    if (item?.status !== 'live') return { outcome: 'not-live' };
    if (item.speakerConnectionId !== connectionId) return { outcome: 'not-speaker' };
    if (typeof item.framesUpTo === 'number') return { outcome: 'duplicate' };
    // A session stored before it had a ledger: give it one, then claim.
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: sessionKey(sessionId),
        UpdateExpression:
          'SET framesUpTo = if_not_exists(framesUpTo, :none), framesClaimed = if_not_exists(framesClaimed, :empty)',
        ExpressionAttributeValues: { ':none': -1, ':empty': {} },
      }),
    );
    return this.claimFrame(sessionId, connectionId, seq, now);
  }

  /**
   * One atomic update, no version to compare: concurrent claims of different frames all succeed. (A missing set
   * contains nothing, so `NOT contains` holds before the first frame is stored.)
   */
  private async claim(sessionId: string, connectionId: string, seq: number, now: number): Promise<FrameLedger> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: sessionKey(sessionId),
        UpdateExpression: 'SET framesClaimed.#seq = :now',
        ConditionExpression:
          '#status = :live AND speakerConnectionId = :c AND framesUpTo < :seq AND NOT contains(framesAbove, :seq) ' +
          'AND (attribute_not_exists(framesClaimed.#seq) OR framesClaimed.#seq < :stale)',
        ExpressionAttributeNames: { '#status': 'status', '#seq': String(seq) },
        ExpressionAttributeValues: {
          ':live': 'live',
          ':c': connectionId,
          ':seq': seq,
          ':now': now,
          ':stale': now - STALE_CLAIM_MS,
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return ledgerOf(out.Attributes ?? {});
  }

  async confirmFrame(sessionId: string, seq: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: sessionKey(sessionId),
        UpdateExpression: 'REMOVE framesClaimed.#seq ADD framesAbove :seqs',
        ExpressionAttributeNames: { '#seq': String(seq) },
        ExpressionAttributeValues: { ':seqs': new Set([seq]) },
      }),
    );
  }

  async releaseFrame(sessionId: string, seq: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: sessionKey(sessionId),
        UpdateExpression: 'REMOVE framesClaimed.#seq',
        ExpressionAttributeNames: { '#seq': String(seq) },
      }),
    );
  }

  async compactFrames(
    sessionId: string,
    from: FrameLedger,
    to: FrameLedger,
    absorbed: number[],
    stale: number[],
  ): Promise<boolean> {
    const names = Object.fromEntries(stale.map((seq, i) => [`#s${i}`, String(seq)]));
    const remove = stale.map((_, i) => `framesClaimed.#s${i}`);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: sessionKey(sessionId),
          UpdateExpression:
            'SET framesUpTo = :to' +
            (remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : '') +
            (absorbed.length > 0 ? ' DELETE framesAbove :absorbed' : ''),
          ConditionExpression: 'framesUpTo = :from',
          ...(stale.length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: {
            ':from': from.upTo,
            ':to': to.upTo,
            ...(absorbed.length > 0 ? { ':absorbed': new Set(absorbed) } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async putGlossary(sessionId: string, version: number, entries: GlossaryEntry[], expiresAt: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...sessionTableKeys.glossary(sessionId, version), version, entries, ttl: ttl(expiresAt) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async getGlossary(sessionId: string, version: number): Promise<GlossaryEntry[] | undefined> {
    return (await getSessionGlossary(this.db, this.table, sessionId, version))?.entries;
  }

  async setGlossaryVersion(sessionId: string, from: number, to: number): Promise<'updated' | 'conflict' | 'not-live'> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: sessionKey(sessionId),
          UpdateExpression: 'SET glossaryVersion = :to',
          ConditionExpression: `#status = :live AND ${from === 0 ? 'attribute_not_exists(glossaryVersion)' : 'glossaryVersion = :from'}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':live': 'live', ':to': to, ...(from === 0 ? {} : { ':from': from }) },
        }),
      );
      return 'updated';
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const item = await this.item(sessionId);
    return item?.status === 'live' ? 'conflict' : 'not-live';
  }

  async end(sessionId: string, reason: string, at: number): Promise<SessionRecord | undefined> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: sessionKey(sessionId),
          UpdateExpression: 'SET #status = :ended, endedAt = :at, endReason = :reason',
          ConditionExpression: '#status = :live',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':ended': 'ended', ':live': 'live', ':at': at, ':reason': reason },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
    return this.get(sessionId);
  }
}

/** The frame ledger as stored on the session item (numbers in a set, claim times in a map). */
function ledgerOf(item: Record<string, unknown>): FrameLedger {
  const above = item.framesAbove instanceof Set ? [...item.framesAbove].map(Number) : [];
  const claimed = (item.framesClaimed ?? {}) as Record<string, number>;
  return { upTo: typeof item.framesUpTo === 'number' ? item.framesUpTo : -1, above, claimed };
}

export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(connection: ConnectionRecord): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.table, Item: { ...connection, ttl: ttl(connection.expiresAt) } }),
    );
  }

  async get(connectionId: string): Promise<ConnectionRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { connectionId }, ConsistentRead: true }),
    );
    return out.Item ? strip(out.Item) : undefined;
  }

  async delete(connectionId: string): Promise<ConnectionRecord | undefined> {
    const out = await this.db.send(
      new DeleteCommand({ TableName: this.table, Key: { connectionId }, ReturnValues: 'ALL_OLD' }),
    );
    return out.Attributes ? strip(out.Attributes) : undefined;
  }

  async countRejected(connectionId: string, code: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { connectionId },
          UpdateExpression: 'ADD rejectedInputs :one SET lastRejectedCode = :code',
          ConditionExpression: 'attribute_exists(connectionId)',
          ExpressionAttributeValues: { ':one': 1, ':code': code },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

function strip(item: Record<string, unknown>): ConnectionRecord {
  const { ttl: _ttl, rejectedInputs: _r, lastRejectedCode: _l, ...rest } = item;
  return rest as unknown as ConnectionRecord;
}

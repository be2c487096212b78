// Sessions, join codes and listener membership in DynamoDB (one table, pk/sk), connections in a second table.
//   SESSION#<id> / META                  the session, its speaker connection and frame-sequence state
//   SESSION#<id> / LISTENER#<lang>#<conn> one item per listener, queried for fan-out and session end
//   CODE#<code>  / CODE                  join code → session id (conditional put keeps codes unique)
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, querySessionListeners, RECENT_LANGUAGE_MS, sessionTableKeys } from '@llt/platform';
import type { ConnectionRecord, ConnectionStore, ListenerEntry, SessionRecord, SessionStore } from '#core/ports';
import type { SeqState } from '#core/sequence';
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

  async create(session: SessionRecord): Promise<void> {
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
    const { seq, ...rest } = session;
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...sessionKey(session.sessionId), ...rest, ttl: ttl(session.expiresAt) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: sessionKey(sessionId), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ttl: _ttl, seqHigh, seqWindow, ...rest } = out.Item;
    return {
      ...(rest as SessionRecord),
      ...(typeof seqHigh === 'number' ? { seq: { high: seqHigh, window: seqWindow ?? 0 } } : {}),
    };
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

  async compareAndSetSeq(
    sessionId: string,
    connectionId: string,
    expected: SeqState | null,
    next: SeqState | null,
  ): Promise<'ok' | 'conflict'> {
    const values: Record<string, unknown> = { ':c': connectionId, ':live': 'live' };
    let condition = '#status = :live AND speakerConnectionId = :c AND ';
    if (expected) {
      condition += 'seqHigh = :eh AND seqWindow = :ew';
      values[':eh'] = expected.high;
      values[':ew'] = expected.window;
    } else {
      condition += 'attribute_not_exists(seqHigh)';
    }
    let update = 'REMOVE seqHigh, seqWindow';
    if (next) {
      update = 'SET seqHigh = :h, seqWindow = :w';
      values[':h'] = next.high;
      values[':w'] = next.window;
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: sessionKey(sessionId),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return 'ok';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'conflict';
      throw error;
    }
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

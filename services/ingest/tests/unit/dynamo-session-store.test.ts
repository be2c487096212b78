// DynamoSessionStore on mocked DynamoDB: exact items, keys and conditions, and how refused conditions are mapped.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { RECENT_LANGUAGE_MS } from '@llt/platform';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { DynamoSessionStore } from '#adapters/dynamo-session-store';
import type { SessionRecord } from '#core/ports';
import { JoinCodeTakenError } from '#errors';

const TABLE = 'llt-sessions-test';
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const dynamo = mockClient(db);
const store = new DynamoSessionStore(db, TABLE);

const EXPIRES_AT = 1_800_043_200_500; // ms; not a whole second, so the TTL rounding shows
const TTL = Math.ceil(EXPIRES_AT / 1000) + 24 * 3600;
const KEY = { pk: 'SESSION#s_abcdefgh', sk: 'META' };

const session: SessionRecord = {
  sessionId: 's_abcdefgh',
  joinCode: 'ABC234',
  sourceLanguage: 'en',
  targetLanguages: ['es', 'ca'],
  tokenHash: 'f'.repeat(64),
  status: 'live',
  createdAt: 1_800_000_000_000,
  expiresAt: EXPIRES_AT,
};

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: {},
  });

beforeEach(() => {
  dynamo.reset();
});

const puts = () => dynamo.commandCalls(PutCommand).map((c) => c.args[0].input);
const gets = () => dynamo.commandCalls(GetCommand).map((c) => c.args[0].input);
const updates = () => dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
const deletes = () => dynamo.commandCalls(DeleteCommand).map((c) => c.args[0].input);
const queries = () => dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);

describe('create', () => {
  test('reserves the join code with a conditional put, then stores the session item with its TTL', async () => {
    dynamo.on(PutCommand).resolves({});
    await store.create({ ...session, frames: { upTo: 4, above: [6] } });
    expect(puts()).toEqual([
      {
        TableName: TABLE,
        Item: { pk: 'CODE#ABC234', sk: 'CODE', sessionId: 's_abcdefgh', ttl: TTL },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
      {
        TableName: TABLE,
        Item: {
          ...KEY,
          sessionId: 's_abcdefgh',
          joinCode: 'ABC234',
          sourceLanguage: 'en',
          targetLanguages: ['es', 'ca'],
          tokenHash: 'f'.repeat(64),
          status: 'live',
          createdAt: 1_800_000_000_000,
          expiresAt: EXPIRES_AT,
          framesUpTo: -1,
          framesClaimed: {},
          ttl: TTL,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    ]);
  });

  test('a join code in use is a JoinCodeTakenError keeping the cause, and no session is written', async () => {
    const cause = conditionFailed();
    dynamo.on(PutCommand).rejectsOnce(cause).resolves({});
    const error = await store.create(session).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(JoinCodeTakenError);
    expect(error?.message).toBe('join code ABC234 is in use');
    expect(error?.cause).toBe(cause);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(1);
  });

  test('any other failure of the code put is thrown as is, and no session is written', async () => {
    const cause = throttled();
    dynamo.on(PutCommand).rejectsOnce(cause).resolves({});
    await expect(store.create(session)).rejects.toBe(cause);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(1);
  });
});

describe('get and sessionIdForJoinCode', () => {
  test('get reads consistently and returns the record without keys or TTL, with the frame ledger rebuilt', async () => {
    dynamo.on(GetCommand).resolves({
      Item: { ...KEY, ...session, speakerConnectionId: 'c1', ttl: TTL, framesUpTo: 41, framesAbove: new Set([44, 43]) },
    });
    await expect(store.get('s_abcdefgh')).resolves.toEqual({
      ...session,
      speakerConnectionId: 'c1',
      frames: { upTo: 41, above: [44, 43], claimed: {} },
    });
    expect(gets()).toEqual([{ TableName: TABLE, Key: KEY, ConsistentRead: true }]);
  });

  test('get of a session with no frames yet has no ledger; an unknown session is undefined', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: { ...KEY, ...session, ttl: TTL } })
      .resolvesOnce({});
    await expect(store.get('s_abcdefgh')).resolves.toEqual(session);
    await expect(store.get('s_unknown0')).resolves.toBeUndefined();
  });

  test('sessionIdForJoinCode reads the CODE item', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: { pk: 'CODE#ABC234', sk: 'CODE', sessionId: 's_abcdefgh' } })
      .resolves({});
    await expect(store.sessionIdForJoinCode('ABC234')).resolves.toBe('s_abcdefgh');
    await expect(store.sessionIdForJoinCode('ZZZ999')).resolves.toBeUndefined();
    expect(gets()[0]).toEqual({ TableName: TABLE, Key: { pk: 'CODE#ABC234', sk: 'CODE' } });
  });
});

describe('attachSpeaker / detachSpeaker', () => {
  test('attaches with an update conditioned on a live session without a speaker', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await expect(store.attachSpeaker('s_abcdefgh', 'conn-1')).resolves.toBe('attached');
    expect(updates()).toEqual([
      {
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'SET speakerConnectionId = :c',
        ConditionExpression: '#status = :live AND attribute_not_exists(speakerConnectionId)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':c': 'conn-1', ':live': 'live' },
      },
    ]);
  });

  test.each([
    [
      'taken',
      'a live session (another speaker is attached)',
      { Item: { ...KEY, ...session, speakerConnectionId: 'c0' } },
    ],
    ['not-live', 'an ended session', { Item: { ...KEY, ...session, status: 'ended' } }],
    ['not-live', 'no session at all', {}],
  ] as const)('a refused condition is %s when the re-read finds %s', async (expected, _label, reread) => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves(reread);
    await expect(store.attachSpeaker('s_abcdefgh', 'conn-1')).resolves.toBe(expected);
    expect(gets()).toEqual([{ TableName: TABLE, Key: KEY, ConsistentRead: true }]);
  });

  test('other attach failures are thrown without a re-read', async () => {
    const cause = throttled();
    dynamo.on(UpdateCommand).rejects(cause);
    await expect(store.attachSpeaker('s_abcdefgh', 'conn-1')).rejects.toBe(cause);
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  test('detach removes the speaker only if it is still this connection; otherwise it is left alone quietly', async () => {
    dynamo.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    await store.detachSpeaker('s_abcdefgh', 'conn-1');
    await store.detachSpeaker('s_abcdefgh', 'conn-old');
    expect(updates()[0]).toEqual({
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'REMOVE speakerConnectionId',
      ConditionExpression: 'speakerConnectionId = :c',
      ExpressionAttributeValues: { ':c': 'conn-1' },
    });
  });

  test('other detach failures are thrown', async () => {
    const cause = throttled();
    dynamo.on(UpdateCommand).rejects(cause);
    await expect(store.detachSpeaker('s_abcdefgh', 'conn-1')).rejects.toBe(cause);
  });
});

describe('listeners', () => {
  test('addListener puts one item per listener under LISTENER#<lang>#<connection>, with when it joined', async () => {
    dynamo.on(PutCommand).resolves({});
    await store.addListener('s_abcdefgh', { connectionId: 'conn-7', language: 'es', joinedAt: 1_234 }, EXPIRES_AT);
    expect(puts()).toEqual([
      {
        TableName: TABLE,
        Item: {
          pk: 'SESSION#s_abcdefgh',
          sk: 'LISTENER#es#conn-7',
          connectionId: 'conn-7',
          language: 'es',
          joinedAt: 1_234,
          ttl: TTL,
        },
      },
    ]);
  });

  test('removeListener deletes the listener and records when its language was last heard (RECENT#<lang>)', async () => {
    dynamo.on(DeleteCommand).resolves({});
    dynamo.on(PutCommand).resolves({});
    const at = 1_800_000_123_000;
    await store.removeListener('s_abcdefgh', { connectionId: 'conn-7', language: 'es' }, at);
    expect(deletes()).toEqual([{ TableName: TABLE, Key: { pk: 'SESSION#s_abcdefgh', sk: 'LISTENER#es#conn-7' } }]);
    expect(puts()).toEqual([
      {
        TableName: TABLE,
        Item: {
          pk: 'SESSION#s_abcdefgh',
          sk: 'RECENT#es',
          language: 'es',
          leftAt: at,
          ttl: Math.ceil((at + RECENT_LANGUAGE_MS) / 1000) + 24 * 3600,
        },
      },
    ]);
  });

  test('a failed delete fails removeListener', async () => {
    const cause = throttled();
    dynamo.on(DeleteCommand).rejects(cause);
    dynamo.on(PutCommand).resolves({});
    await expect(store.removeListener('s_abcdefgh', { connectionId: 'conn-7', language: 'es' }, 1)).rejects.toBe(cause);
  });

  test('listListeners reads every page consistently', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ connectionId: 'a', language: 'es' }],
        LastEvaluatedKey: { pk: 'SESSION#s_abcdefgh', sk: 'LISTENER#es#a' },
      })
      .resolvesOnce({ Items: [{ connectionId: 'b', language: 'ca' }] });
    await expect(store.listListeners('s_abcdefgh')).resolves.toEqual([
      { connectionId: 'a', language: 'es' },
      { connectionId: 'b', language: 'ca' },
    ]);
    const [first, second, ...more] = queries();
    expect(more).toEqual([]);
    expect(first).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'SESSION#s_abcdefgh', ':prefix': 'LISTENER#' },
      ConsistentRead: true,
      ExclusiveStartKey: undefined,
    });
    expect(second?.ExclusiveStartKey).toEqual({ pk: 'SESSION#s_abcdefgh', sk: 'LISTENER#es#a' });
  });
});

describe('the frame ledger', () => {
  test('a session stored before it had a ledger gets one, then the claim goes through', async () => {
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .resolvesOnce({})
      .resolvesOnce({ Attributes: { framesUpTo: -1, framesClaimed: {} } });
    dynamo.on(GetCommand).resolves({ Item: { ...KEY, ...session, speakerConnectionId: 'conn-1' } });
    await expect(store.claimFrame('s_abcdefgh', 'conn-1', 0, 5)).resolves.toMatchObject({ outcome: 'claimed' });
    expect(updates()[1]).toEqual({
      TableName: TABLE,
      Key: KEY,
      UpdateExpression:
        'SET framesUpTo = if_not_exists(framesUpTo, :none), framesClaimed = if_not_exists(framesClaimed, :empty)',
      ExpressionAttributeValues: { ':none': -1, ':empty': {} },
    });
  });

  const NOW = 1_800_000_100_000;

  test('a claim is one atomic update: checks the speaker, the session and the ledger, marks the frame claimed, returns the old ledger', async () => {
    dynamo.on(UpdateCommand).resolves({
      Attributes: { ...KEY, framesUpTo: 6, framesAbove: new Set([8]), framesClaimed: { '9': NOW - 5 } },
    });
    await expect(store.claimFrame('s_abcdefgh', 'conn-1', 7, NOW)).resolves.toEqual({
      outcome: 'claimed',
      previous: { upTo: 6, above: [8], claimed: { '9': NOW - 5 } },
    });
    expect(updates()).toEqual([
      {
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'SET framesClaimed.#seq = :now',
        ConditionExpression:
          '#status = :live AND speakerConnectionId = :c AND framesUpTo < :seq AND NOT contains(framesAbove, :seq) ' +
          'AND (attribute_not_exists(framesClaimed.#seq) OR framesClaimed.#seq < :stale)',
        ExpressionAttributeNames: { '#status': 'status', '#seq': '7' },
        // Exactly the values the expressions use: DynamoDB refuses unused ExpressionAttributeValues.
        ExpressionAttributeValues: {
          ':live': 'live',
          ':c': 'conn-1',
          ':seq': 7,
          ':now': NOW,
          ':stale': NOW - 60_000,
        },
        ReturnValues: 'ALL_OLD',
      },
    ]);
  });

  test('the first claim of a session starts from an empty ledger; the session is created with an empty claim map', async () => {
    dynamo.on(UpdateCommand).resolves({ Attributes: { ...KEY, framesClaimed: {} } });
    await expect(store.claimFrame('s_abcdefgh', 'conn-1', 0, NOW)).resolves.toEqual({
      outcome: 'claimed',
      previous: { upTo: -1, above: [], claimed: {} },
    });
    dynamo.on(PutCommand).resolves({});
    await store.create(session);
    expect(puts()[1]?.Item).toMatchObject({ framesClaimed: {} });
  });

  test('a refused claim reads the session to say why: duplicate, another speaker, or not live', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: { ...KEY, ...session, speakerConnectionId: 'conn-1', framesUpTo: 9 } })
      .resolvesOnce({ Item: { ...KEY, ...session, speakerConnectionId: 'conn-2' } })
      .resolvesOnce({ Item: { ...KEY, ...session, status: 'ended' } });
    await expect(store.claimFrame('s_abcdefgh', 'conn-1', 3, NOW)).resolves.toEqual({ outcome: 'duplicate' });
    await expect(store.claimFrame('s_abcdefgh', 'conn-1', 3, NOW)).resolves.toEqual({ outcome: 'not-speaker' });
    await expect(store.claimFrame('s_abcdefgh', 'conn-1', 3, NOW)).resolves.toEqual({ outcome: 'not-live' });
  });

  test('a ConditionalCheckFailedException from another SDK copy (matched by name) is a refusal too; other failures are thrown', async () => {
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' }));
    dynamo.on(GetCommand).resolves({ Item: { ...KEY, ...session, speakerConnectionId: 'conn-1', framesUpTo: 3 } });
    await expect(store.claimFrame('s_abcdefgh', 'conn-1', 3, NOW)).resolves.toEqual({ outcome: 'duplicate' });
    const cause = throttled();
    dynamo.on(UpdateCommand).rejects(cause);
    await expect(store.claimFrame('s_abcdefgh', 'conn-1', 3, NOW)).rejects.toBe(cause);
  });

  test('confirming moves the frame from the claims to the stored set; releasing drops the claim', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await store.confirmFrame('s_abcdefgh', 12);
    await store.releaseFrame('s_abcdefgh', 13);
    expect(updates()).toEqual([
      {
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'REMOVE framesClaimed.#seq ADD framesAbove :seqs',
        ExpressionAttributeNames: { '#seq': '12' },
        ExpressionAttributeValues: { ':seqs': new Set([12]) },
      },
      {
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'REMOVE framesClaimed.#seq',
        ExpressionAttributeNames: { '#seq': '13' },
      },
    ]);
  });

  test('compaction moves the resume point, drops the absorbed frames and stale claims, only from the ledger it read', async () => {
    dynamo.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed()).resolvesOnce({});
    await expect(
      store.compactFrames('s_abcdefgh', { upTo: 3, above: [4, 5, 9] }, { upTo: 5, above: [9] }, [4, 5], [2]),
    ).resolves.toBe(true);
    await expect(
      store.compactFrames('s_abcdefgh', { upTo: 3, above: [] }, { upTo: 5, above: [] }, [4, 5], []),
    ).resolves.toBe(false);
    // A skipped gap with nothing absorbed: no empty set in the request (DynamoDB refuses one).
    await store.compactFrames('s_abcdefgh', { upTo: 3, above: [] }, { upTo: 9, above: [] }, [], []);
    const [first, , skip] = updates();
    expect(first).toEqual({
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'SET framesUpTo = :to REMOVE framesClaimed.#s0 DELETE framesAbove :absorbed',
      ConditionExpression: 'framesUpTo = :from',
      ExpressionAttributeNames: { '#s0': '2' },
      ExpressionAttributeValues: { ':from': 3, ':to': 5, ':absorbed': new Set([4, 5]) },
    });
    expect(skip).toEqual({
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'SET framesUpTo = :to',
      ConditionExpression: 'framesUpTo = :from',
      ExpressionAttributeValues: { ':from': 3, ':to': 9 },
    });
  });
});

describe('end', () => {
  test('marks a live session ended with when and why, and returns it as re-read', async () => {
    dynamo.on(UpdateCommand).resolves({});
    dynamo.on(GetCommand).resolves({
      Item: { ...KEY, ...session, status: 'ended', endedAt: 1_800_000_500_000, endReason: 'speaker', ttl: TTL },
    });
    await expect(store.end('s_abcdefgh', 'speaker', 1_800_000_500_000)).resolves.toEqual({
      ...session,
      status: 'ended',
      endedAt: 1_800_000_500_000,
      endReason: 'speaker',
    });
    expect(updates()).toEqual([
      {
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'SET #status = :ended, endedAt = :at, endReason = :reason',
        ConditionExpression: '#status = :live',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':ended': 'ended',
          ':live': 'live',
          ':at': 1_800_000_500_000,
          ':reason': 'speaker',
        },
      },
    ]);
  });

  test('a session that was not live is undefined, without a re-read', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    await expect(store.end('s_abcdefgh', 'expired', 1)).resolves.toBeUndefined();
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  test('other failures are thrown', async () => {
    const cause = throttled();
    dynamo.on(UpdateCommand).rejects(cause);
    await expect(store.end('s_abcdefgh', 'expired', 1)).rejects.toBe(cause);
  });
});

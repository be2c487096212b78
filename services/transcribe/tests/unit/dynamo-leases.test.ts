// DynamoLeaseStore on mocked DynamoDB: every change of owner is conditional on what the writer saw, a failed
// condition is an answer (not an error), checkpoints round-trip, heartbeats and leases share one table.
import { ConditionalCheckFailedException, DynamoDBClient, InternalServerError } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { DynamoLeaseStore } from '#adapters/dynamo-leases';
import type { ShardCheckpoint } from '#worker/ports';

const TABLE = 'llt-shard-leases-test';
const NOW = 1_800_000_000_250;
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const dynamo = mockClient(db);
const store = new DynamoLeaseStore(db, TABLE, () => NOW);
const refused = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const CHECKPOINT: ShardCheckpoint = {
  position: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '4960' },
  highWater: '4977',
  sessions: { s_abcdefgh: { resumeFrom: 120, inUtterance: true }, s_ijklmnop: { ended: true } },
};

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoLeaseStore', () => {
  test('a scan returns the leases (checkpoints parsed) and the workers’ heartbeats', async () => {
    dynamo.on(ScanCommand).resolves({
      Items: [
        {
          leaseKey: 'shard#s-1',
          shardId: 's-1',
          parents: [],
          owner: 'w1',
          counter: 7,
          checkpoint: JSON.stringify(CHECKPOINT),
        },
        { leaseKey: 'shard#s-2', shardId: 's-2', parents: ['s-0'], counter: 2, pendingOwner: 'w2' },
        { leaseKey: 'worker#w1', counter: 41, ttl: 1 },
      ],
    });
    await expect(store.scan()).resolves.toEqual({
      leases: [
        { shardId: 's-1', parents: [], owner: 'w1', counter: 7, checkpoint: CHECKPOINT },
        { shardId: 's-2', parents: ['s-0'], counter: 2, pendingOwner: 'w2' },
      ],
      workers: [{ workerId: 'w1', counter: 41 }],
    });
    expect(dynamo.commandCalls(ScanCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
  });

  test('creating a lease never overwrites one', async () => {
    dynamo.on(PutCommand).rejects(refused());
    await expect(store.create('s-1', [])).resolves.toBeUndefined();
    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input).toMatchObject({
      Item: { leaseKey: 'shard#s-1', shardId: 's-1', parents: [], counter: 0 },
      ConditionExpression: 'attribute_not_exists(leaseKey)',
    });
  });

  test('a take is conditional on the counter as seen; a lease that moved meanwhile is not taken', async () => {
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(refused())
      .resolves({ Attributes: { shardId: 's-1', owner: 'w2', counter: 8 } });
    const seen = { shardId: 's-1', parents: [], owner: 'w1', counter: 7 };
    await expect(store.take(seen, 'w2')).resolves.toBeUndefined();
    await expect(store.take(seen, 'w2')).resolves.toEqual({ shardId: 's-1', parents: [], owner: 'w2', counter: 8 });
    const input = dynamo.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ leaseKey: 'shard#s-1' });
    expect(input.ConditionExpression).toBe('#counter = :seen');
    expect(input.UpdateExpression).toBe('SET #owner = :me, #counter = #counter + :one REMOVE #pending');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':me': 'w2', ':seen': 7 });
  });

  test('renewals, hand-overs and releases are conditional on still being the owner', async () => {
    dynamo.on(UpdateCommand).rejects(refused());
    await expect(store.renew('s-1', 'w1', CHECKPOINT)).resolves.toBeUndefined();
    await expect(store.handOver('s-1', 'w1', 'w2', CHECKPOINT)).resolves.toBe(false);
    await expect(store.release('s-1', 'w1', CHECKPOINT)).resolves.toBe(false);
    await expect(store.request('s-1', 'w1', 'w2')).resolves.toBe(false);
    const [renew, handOver, release, request] = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(renew!.ConditionExpression).toBe('#owner = :me');
    expect(renew!.ExpressionAttributeValues?.[':checkpoint']).toBe(JSON.stringify(CHECKPOINT));
    expect(handOver!.ConditionExpression).toBe('#owner = :me AND #pending = :to');
    expect(handOver!.UpdateExpression).toContain('SET #owner = :to');
    expect(release!.ConditionExpression).toBe('#owner = :me');
    expect(release!.UpdateExpression).toContain('REMOVE #owner, #pending');
    expect(request!.ConditionExpression).toBe('#owner = :owner AND attribute_not_exists(#pending)');
  });

  test('declining a request clears it with the renewal', async () => {
    dynamo.on(UpdateCommand).resolves({ Attributes: { shardId: 's-1', owner: 'w1', counter: 9 } });
    await store.renew('s-1', 'w1', undefined, true);
    const input = dynamo.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.UpdateExpression).toBe('SET #counter = #counter + :one REMOVE #pending');
  });

  test('other errors are thrown, for the caller to retry', async () => {
    dynamo.on(UpdateCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }));
    await expect(store.renew('s-1', 'w1')).rejects.toThrow('boom');
  });

  test('a heartbeat counts up from nothing and expires by TTL a day after the last one', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await store.beat('w1');
    expect(dynamo.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      Key: { leaseKey: 'worker#w1' },
      UpdateExpression: 'SET #counter = if_not_exists(#counter, :zero) + :one, #ttl = :ttl',
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':ttl': Math.ceil(NOW / 1000) + 24 * 3600 },
    });
  });
});

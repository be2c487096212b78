// The shard lease table in DynamoDB (llt-shard-leases): `shard#<shardId>` items hold a lease (owner, counter, pending
// request, checkpoint as JSON), `worker#<workerId>` items a worker's heartbeat. Every write that changes or keeps an
// owner is conditional on what the writer saw, so two workers never both hold a shard.
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  ScanCommand,
  type ScanCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '@llt/platform';
import type { LeaseStore, ShardCheckpoint, ShardLease, WorkerBeat } from '#worker/ports';

const SHARD = 'shard#';
const WORKER = 'worker#';
/** Heartbeats of workers that vanished without a graceful stop are deleted by the table's TTL after a day. */
const HEARTBEAT_RETENTION_S = 24 * 3600;

interface LeaseItem {
  leaseKey: string;
  shardId: string;
  parents?: string[];
  owner?: string;
  pendingOwner?: string;
  counter?: number;
  checkpoint?: string;
}

// `owner` is a DynamoDB reserved word: every attribute goes through a placeholder.
const NAMES = {
  '#owner': 'owner',
  '#pending': 'pendingOwner',
  '#counter': 'counter',
  '#checkpoint': 'checkpoint',
} as const;

export class DynamoLeaseStore implements LeaseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async scan(): Promise<{ leases: ShardLease[]; workers: WorkerBeat[] }> {
    const leases: ShardLease[] = [];
    const workers: WorkerBeat[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: ScanCommandOutput = await this.db.send(
        new ScanCommand({ TableName: this.table, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const key = String(item.leaseKey);
        if (key.startsWith(SHARD)) leases.push(toLease(item as LeaseItem));
        else if (key.startsWith(WORKER))
          workers.push({ workerId: key.slice(WORKER.length), counter: Number(item.counter) });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return { leases, workers };
  }

  async create(shardId: string, parents: string[]): Promise<void> {
    await this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { leaseKey: SHARD + shardId, shardId, parents, counter: 0 },
        ConditionExpression: 'attribute_not_exists(leaseKey)',
      }),
    );
  }

  async take(seen: ShardLease, owner: string): Promise<ShardLease | undefined> {
    return this.update(seen.shardId, {
      UpdateExpression: 'SET #owner = :me, #counter = #counter + :one REMOVE #pending',
      ConditionExpression: '#counter = :seen',
      ExpressionAttributeNames: { '#owner': NAMES['#owner'], '#pending': NAMES['#pending'], '#counter': 'counter' },
      ExpressionAttributeValues: { ':me': owner, ':one': 1, ':seen': seen.counter },
    });
  }

  async renew(
    shardId: string,
    owner: string,
    checkpoint?: ShardCheckpoint,
    decline = false,
  ): Promise<ShardLease | undefined> {
    const set = ['#counter = #counter + :one', ...(checkpoint ? ['#checkpoint = :checkpoint'] : [])];
    return this.update(shardId, {
      UpdateExpression: `SET ${set.join(', ')}${decline ? ' REMOVE #pending' : ''}`,
      ConditionExpression: '#owner = :me',
      ExpressionAttributeNames: {
        '#owner': NAMES['#owner'],
        '#counter': NAMES['#counter'],
        ...(checkpoint ? { '#checkpoint': NAMES['#checkpoint'] } : {}),
        ...(decline ? { '#pending': NAMES['#pending'] } : {}),
      },
      ExpressionAttributeValues: {
        ':me': owner,
        ':one': 1,
        ...(checkpoint ? { ':checkpoint': JSON.stringify(checkpoint) } : {}),
      },
    });
  }

  async request(shardId: string, owner: string, requester: string): Promise<boolean> {
    const updated = await this.update(shardId, {
      UpdateExpression: 'SET #pending = :requester',
      ConditionExpression: '#owner = :owner AND attribute_not_exists(#pending)',
      ExpressionAttributeNames: { '#owner': NAMES['#owner'], '#pending': NAMES['#pending'] },
      ExpressionAttributeValues: { ':owner': owner, ':requester': requester },
    });
    return updated !== undefined;
  }

  async handOver(shardId: string, owner: string, to: string, checkpoint: ShardCheckpoint): Promise<boolean> {
    const updated = await this.update(shardId, {
      UpdateExpression: 'SET #owner = :to, #counter = #counter + :one, #checkpoint = :checkpoint REMOVE #pending',
      ConditionExpression: '#owner = :me AND #pending = :to',
      ExpressionAttributeNames: { ...NAMES },
      ExpressionAttributeValues: { ':me': owner, ':to': to, ':one': 1, ':checkpoint': JSON.stringify(checkpoint) },
    });
    return updated !== undefined;
  }

  async release(shardId: string, owner: string, checkpoint: ShardCheckpoint): Promise<boolean> {
    const updated = await this.update(shardId, {
      UpdateExpression: 'SET #counter = #counter + :one, #checkpoint = :checkpoint REMOVE #owner, #pending',
      ConditionExpression: '#owner = :me',
      ExpressionAttributeNames: { ...NAMES },
      ExpressionAttributeValues: { ':me': owner, ':one': 1, ':checkpoint': JSON.stringify(checkpoint) },
    });
    return updated !== undefined;
  }

  async beat(workerId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { leaseKey: WORKER + workerId },
        UpdateExpression: 'SET #counter = if_not_exists(#counter, :zero) + :one, #ttl = :ttl',
        ExpressionAttributeNames: { '#counter': 'counter', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':zero': 0,
          ':one': 1,
          ':ttl': Math.ceil(this.now() / 1000) + HEARTBEAT_RETENTION_S,
        },
      }),
    );
  }

  async retire(workerId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { leaseKey: WORKER + workerId } }));
  }

  private async update(
    shardId: string,
    expression: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<ShardLease | undefined> {
    const out = await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { leaseKey: SHARD + shardId },
        ReturnValues: 'ALL_NEW',
        ...expression,
      }),
    );
    return out?.Attributes ? toLease(out.Attributes as unknown as LeaseItem) : undefined;
  }

  /** Sends a conditional write; undefined when its condition failed. */
  private async conditional<T>(
    command: { input: unknown } & T,
  ): Promise<{ Attributes?: Record<string, unknown> } | undefined> {
    try {
      return (await this.db.send(command as never)) as { Attributes?: Record<string, unknown> };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }
}

function toLease(item: LeaseItem): ShardLease {
  return {
    shardId: item.shardId,
    parents: item.parents ?? [],
    ...(item.owner ? { owner: item.owner } : {}),
    ...(item.pendingOwner ? { pendingOwner: item.pendingOwner } : {}),
    counter: Number(item.counter ?? 0),
    ...(item.checkpoint ? { checkpoint: JSON.parse(item.checkpoint) as ShardCheckpoint } : {}),
  };
}

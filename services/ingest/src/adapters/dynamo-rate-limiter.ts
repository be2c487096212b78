// Fixed-window attempt counters in the sessions table, shared by every Lambda instance:
//   RATE#<kind>#<client> / <window start ms>   { attempts, ttl }
// One atomic ADD per counted attempt (no read-modify-write, so concurrent instances never lose a count); the
// item expires through the table's TTL a minute after its window ends.
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sessionTableKeys } from '@llt/platform';
import type { RateLimiter } from '#core/ports';

const TTL_GRACE_S = 60;

export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async attempts(kind: string, client: string, windowStart: number): Promise<number> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: sessionTableKeys.rateLimit(kind, client, windowStart),
        ProjectionExpression: 'attempts',
      }),
    );
    const attempts = out.Item?.attempts;
    return typeof attempts === 'number' ? attempts : 0;
  }

  async record(kind: string, client: string, windowStart: number, windowEnd: number): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: sessionTableKeys.rateLimit(kind, client, windowStart),
        UpdateExpression: 'ADD attempts :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': Math.ceil(windowEnd / 1000) + TTL_GRACE_S },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const attempts = out.Attributes?.attempts;
    return typeof attempts === 'number' ? attempts : 1;
  }
}

// The finalized-utterance ledger in DynamoDB: one item per utterance keyed by session and first audio frame,
// written with a condition so a redelivered batch cannot finalize the same utterance twice.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '@llt/platform';
import type { FinalizedLedger } from '#core/ports';

const RETENTION_S = 2 * 24 * 3600;

export class DynamoFinalizedLedger implements FinalizedLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(sessionId: string, firstSeq: number, segmentIndex: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            sessionId,
            segment: `FRAME#${String(firstSeq).padStart(10, '0')}`,
            segmentIndex,
            claimedAt: this.now(),
            ttl: Math.ceil(this.now() / 1000) + RETENTION_S,
          },
          ConditionExpression: 'attribute_not_exists(sessionId)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

// Which workflow execution fans out each segment, and which making of a speech part is sent, as conditional puts
// in the sessions table.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, SESSIONS_TABLE, sessionTableKeys } from '@llt/platform';
import type { FanoutLedger } from '#core/ports';

/** Long enough for any redelivery; DynamoDB's TTL removes the mark afterwards. */
const KEEP_SECONDS = 24 * 3600;

export class DynamoFanoutLedger implements FanoutLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(sessionId: string, segmentId: string, executionId: string): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...sessionTableKeys.fanout(sessionId, segmentId),
            executionId,
            [SESSIONS_TABLE.ttlAttribute]: Math.floor(this.now() / 1000) + KEEP_SECONDS,
          },
          // A retried task of the same execution may claim again.
          ConditionExpression: 'attribute_not_exists(pk) OR executionId = :execution',
          ExpressionAttributeValues: { ':execution': executionId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async claimSpeechPart(
    part: { sessionId: string; segmentId: string; language: string; part: number },
    clip: string,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...sessionTableKeys.speechPart(part.sessionId, part.segmentId, part.language, part.part),
            clip,
            [SESSIONS_TABLE.ttlAttribute]: Math.floor(this.now() / 1000) + KEEP_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR clip = :clip',
          ExpressionAttributeValues: { ':clip': clip },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

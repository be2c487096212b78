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

  claim(sessionId: string, segmentId: string, executionId: string): Promise<boolean> {
    // A retried task of the same execution may claim again.
    return this.claimItem({ ...sessionTableKeys.fanout(sessionId, segmentId), executionId }, 'executionId');
  }

  claimSpeechPart(
    part: { sessionId: string; segmentId: string; language: string; part: number },
    clip: string,
  ): Promise<boolean> {
    return this.claimItem(
      { ...sessionTableKeys.speechPart(part.sessionId, part.segmentId, part.language, part.part), clip },
      'clip',
    );
  }

  /** Puts the mark unless one with another `owner` value is there; false when it is. */
  private async claimItem(item: Record<string, string>, owner: 'executionId' | 'clip'): Promise<boolean> {
    const placeholder = owner === 'executionId' ? ':execution' : ':clip';
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...item, [SESSIONS_TABLE.ttlAttribute]: Math.floor(this.now() / 1000) + KEEP_SECONDS },
          ConditionExpression: `attribute_not_exists(pk) OR ${owner} = ${placeholder}`,
          ExpressionAttributeValues: { [placeholder]: item[owner] },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

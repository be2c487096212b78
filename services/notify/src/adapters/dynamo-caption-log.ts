// The caption log in DynamoDB: one item per final caption, keyed by session, then language and segment order.
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CaptionMessage } from '@llt/events';
import { CAPTIONS_TABLE, captionEntry, getSessionSummary } from '@llt/platform';
import type { CaptionLog } from '#core/ports';

/** Captions outlive the longest session by a day; DynamoDB's TTL removes them afterwards. */
const KEEP_SECONDS = 2 * 24 * 3600;

export class DynamoCaptionLog implements CaptionLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly sessionsTable: string,
    private readonly now: () => number = Date.now,
  ) {}

  async append(caption: CaptionMessage): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...caption,
          sessionId: caption.sessionId,
          entry: captionEntry.key(caption.language, caption.segmentIndex),
          [CAPTIONS_TABLE.ttlAttribute]: Math.floor(this.now() / 1000) + KEEP_SECONDS,
        },
      }),
    );
  }

  async since(sessionId: string, language: string, after: number): Promise<CaptionMessage[]> {
    const captions: CaptionMessage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'sessionId = :s AND entry BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':s': sessionId,
            ':from': captionEntry.key(language, after + 1),
            ':to': `${captionEntry.prefix(language)}\uffff`,
          },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const { entry: _entry, ttl: _ttl, ...fields } = item;
        const parsed = CaptionMessage.safeParse(fields);
        if (parsed.success) captions.push(parsed.data);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return captions;
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    return (await getSessionSummary(this.db, this.sessionsTable, sessionId)) !== undefined;
  }
}

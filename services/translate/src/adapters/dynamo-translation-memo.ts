// The translation memo in DynamoDB (TRANSLATION_MEMO_TABLE): one item per session, segment, target language and
// increment (`<sessionId>#<segmentIndex>#<language>` / the zero-padded increment number), written with PutItem as
// each piece is translated and read back with one strongly consistent Query over the increments asked for, so a
// clause or a final sees every increment whose task finished before it. Items expire after a few hours (TTL).
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TRANSLATION_MEMO_TABLE, translationMemoKeys } from '@llt/platform';
import type { MemoUtterance, TranslationMemo } from '#core/ports';

export class DynamoTranslationMemo implements TranslationMemo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(utterance: MemoUtterance, increments: readonly number[]): Promise<Map<number, string>> {
    const found = new Map<number, string>();
    if (increments.length === 0) return found;
    const wanted = new Set(increments);
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: '#u = :u AND #n BETWEEN :first AND :last',
          ExpressionAttributeNames: {
            '#u': TRANSLATION_MEMO_TABLE.partitionKey,
            '#n': TRANSLATION_MEMO_TABLE.sortKey!,
          },
          ExpressionAttributeValues: {
            ':u': utteranceKey(utterance),
            ':first': translationMemoKeys.increment(Math.min(...increments)),
            ':last': translationMemoKeys.increment(Math.max(...increments)),
          },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const n = Number(item[TRANSLATION_MEMO_TABLE.sortKey!]);
        if (wanted.has(n) && typeof item.text === 'string') found.set(n, item.text);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  async put(utterance: MemoUtterance, entries: readonly { increment: number; text: string }[]): Promise<void> {
    const ttl = Math.floor(this.now() / 1000) + translationMemoKeys.keepSeconds;
    await Promise.all(
      entries.map(({ increment, text }) =>
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              [TRANSLATION_MEMO_TABLE.partitionKey]: utteranceKey(utterance),
              [TRANSLATION_MEMO_TABLE.sortKey!]: translationMemoKeys.increment(increment),
              text,
              [TRANSLATION_MEMO_TABLE.ttlAttribute]: ttl,
            },
          }),
        ),
      ),
    );
  }
}

const utteranceKey = (u: MemoUtterance) => translationMemoKeys.utterance(u.sessionId, u.segmentIndex, u.language);

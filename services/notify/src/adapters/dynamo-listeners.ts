// The session's listeners, as ingest records them in the sessions table (one item per listener).
import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { sessionTableKeys } from '@llt/platform';
import type { Listener, ListenerDirectory } from '#core/ports';

export class DynamoListenerDirectory implements ListenerDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async listeners(sessionId: string, language?: string): Promise<Listener[]> {
    const out: Listener[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': sessionTableKeys.session(sessionId).pk,
            ':prefix': sessionTableKeys.listenerPrefix(language),
          },
          ProjectionExpression: 'connectionId, #language',
          ExpressionAttributeNames: { '#language': 'language' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) out.push({ connectionId: item.connectionId, language: item.language });
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async remove(sessionId: string, listener: Listener): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.table,
        Key: sessionTableKeys.listener(sessionId, listener.language, listener.connectionId),
      }),
    );
  }
}

// Reading a session's listeners from the sessions table: ingest (at session end) and notify (every fan-out)
// run the same query over the layout in `sessionTableKeys`.
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { sessionTableKeys } from './resources.ts';

export interface SessionListener {
  connectionId: string;
  language: string;
}

export async function querySessionListeners(
  db: DynamoDBDocumentClient,
  table: string,
  sessionId: string,
  options: { language?: string; consistent?: boolean } = {},
): Promise<SessionListener[]> {
  const listeners: SessionListener[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': sessionTableKeys.session(sessionId).pk,
          ':prefix': sessionTableKeys.listenerPrefix(options.language),
        },
        ProjectionExpression: 'connectionId, #language',
        ExpressionAttributeNames: { '#language': 'language' },
        ConsistentRead: options.consistent ?? false,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) listeners.push({ connectionId: item.connectionId, language: item.language });
    start = page.LastEvaluatedKey;
  } while (start);
  return listeners;
}

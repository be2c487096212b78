// The session's listeners, as ingest records them in the sessions table (one item per listener).
import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getSessionSummary, querySessionListeners, querySessionRecentLanguages, sessionTableKeys } from '@llt/platform';
import type { Listener, ListenerDirectory } from '#core/ports';

export class DynamoListenerDirectory implements ListenerDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async listeners(sessionId: string, language?: string): Promise<Listener[]> {
    return querySessionListeners(this.db, this.table, sessionId, language ? { language } : {});
  }

  async recentLanguages(sessionId: string, since: number): Promise<string[]> {
    return querySessionRecentLanguages(this.db, this.table, sessionId, since);
  }

  async speaker(sessionId: string): Promise<string | undefined> {
    const session = await getSessionSummary(this.db, this.table, sessionId);
    return session?.status === 'live' ? session.speakerConnectionId : undefined;
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

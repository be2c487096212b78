// The sessions table as ingest writes it, read for one thing: the language a session's speaker speaks.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getSessionSummary } from '@llt/platform';
import type { SessionDirectory } from '#core/ports';

export class DynamoSessionDirectory implements SessionDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async sourceLanguage(sessionId: string): Promise<string | undefined> {
    return (await getSessionSummary(this.db, this.table, sessionId))?.sourceLanguage;
  }
}

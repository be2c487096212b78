// The sessions table as ingest writes it, read for the language a session's speaker speaks and whether it is live.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getSessionSummary } from '@llt/platform';
import type { SessionDirectory } from '#core/ports';
import type { GlossarySessions } from '#core/vocabulary';

export class DynamoSessionDirectory implements SessionDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async sourceLanguage(sessionId: string): Promise<string | undefined> {
    return (await getSessionSummary(this.db, this.table, sessionId))?.sourceLanguage;
  }
}

/** The sessions table read for glossaries: a session's source language and whether it is still live. */
export class DynamoGlossarySessions implements GlossarySessions {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async session(sessionId: string): Promise<{ sourceLanguage: string; live: boolean } | undefined> {
    const summary = await getSessionSummary(this.db, this.table, sessionId);
    return summary ? { sourceLanguage: summary.sourceLanguage, live: summary.status !== 'ended' } : undefined;
  }
}

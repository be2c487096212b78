// A session's glossary as ingest stores it in the sessions table: the session item names the current version, each
// version is an item of its own that never changes.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getSessionGlossary, getSessionGlossaryVersion } from '@llt/platform';
import type { GlossarySource, SessionGlossary } from '#core/ports';

export class DynamoGlossarySource implements GlossarySource {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  currentVersion(sessionId: string): Promise<number> {
    // Eventually consistent: a version written a moment ago is picked up at one of the next checks.
    return getSessionGlossaryVersion(this.db, this.table, sessionId);
  }

  load(sessionId: string, version: number): Promise<SessionGlossary | undefined> {
    return getSessionGlossary(this.db, this.table, sessionId, version);
  }
}

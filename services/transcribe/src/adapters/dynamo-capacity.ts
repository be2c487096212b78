// Capacity reports in the sessions table, where ingest reads them to admit sessions, and the session cost measured
// on this machine, which a restarted worker starts from (layout: sessionTableKeys).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CapacityReport } from '@llt/events';
import { getSessionCost, putCapacityReport, putSessionCost } from '@llt/platform';
import type { CapacityStore } from '#worker/capacity-reporter';

export class DynamoCapacityStore implements CapacityStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    /** The machine a measured cost belongs to (its host name). */
    private readonly host: string,
    private readonly now: () => number = Date.now,
  ) {}

  put(report: CapacityReport): Promise<void> {
    return putCapacityReport(this.db, this.table, report);
  }

  async lastSessionCost(): Promise<number | undefined> {
    return (await getSessionCost(this.db, this.table, this.host, this.now()))?.sessionCores;
  }

  saveSessionCost(sessionCores: number): Promise<void> {
    return putSessionCost(this.db, this.table, this.host, { sessionCores, measuredAt: this.now() });
  }
}

// Capacity reports in the sessions table, where ingest reads them to admit sessions (layout: sessionTableKeys).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CapacityReport } from '@llt/events';
import { putCapacityReport } from '@llt/platform';
import type { CapacityStore } from '#worker/capacity-reporter';

export class DynamoCapacityStore implements CapacityStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  put(report: CapacityReport): Promise<void> {
    return putCapacityReport(this.db, this.table, report);
  }
}

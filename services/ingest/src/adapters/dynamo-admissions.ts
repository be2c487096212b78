// The admission ledger in the sessions table: one item (`CAPACITY` / `ADMITTED`) whose map of held places is
// replaced only by a PutItem conditioned on the version read, and the recognition workers' capacity reports beside
// it (layout: sessionTableKeys).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CapacityReport } from '@llt/events';
import { queryFreshCapacityReports, sessionTableKeys } from '@llt/platform';
import type { AdmissionLedger, Admitted } from '#core/ports';

export class DynamoAdmissionLedger implements AdmissionLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async read(): Promise<Admitted> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: sessionTableKeys.admissions, ConsistentRead: true }),
    );
    const held = (out.Item?.held ?? {}) as Record<string, number>;
    return { held, version: typeof out.Item?.version === 'number' ? out.Item.version : 0 };
  }

  async write(admitted: Admitted): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...sessionTableKeys.admissions, held: admitted.held, version: admitted.version + 1 },
          ConditionExpression: admitted.version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
          ...(admitted.version === 0 ? {} : { ExpressionAttributeValues: { ':version': admitted.version } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  capacity(now: number): Promise<CapacityReport[]> {
    return queryFreshCapacityReports(this.db, this.table, now);
  }
}

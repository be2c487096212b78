// Each turn key's newest caption and partial fan-out turn: one item in the captions table, beside the caption log
// (which never reads it), changed only by conditional updates so every Lambda environment sees and respects the
// same turn. A session's source captions: `<sessionId>` / `~partial-turn`; its provisional translations into a
// language: `<sessionId>` / `~partial-turn#<language>`.
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CaptionMessage } from '@llt/events';
import { CAPTIONS_TABLE, isConditionalCheckFailed } from '@llt/platform';
import { type CaptionRef, type NewestCaption, type PartialTurns, parseTurnKey } from '#core/partials';

const ENTRY = '~partial-turn';
/** The item goes with the captions (a day after the longest session). */
const KEEP_SECONDS = 2 * 24 * 3600;

export class DynamoPartialTurns implements PartialTurns {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async offer(ref: CaptionRef, message?: CaptionMessage): Promise<boolean> {
    // Newer: a later utterance; or the same one's final over its partials; or a later revision of a partial.
    const sameUtterance = ref.final ? '#final = :no' : '#final = :no AND revision < :r';
    return this.conditional({
      Key: this.key(ref.key),
      UpdateExpression:
        'SET segmentIndex = :s, revision = :r, #final = :f, #ttl = :ttl' +
        (message ? ', #message = :m' : ' REMOVE #message'),
      ConditionExpression: `attribute_not_exists(segmentIndex) OR segmentIndex < :s OR (segmentIndex = :s AND ${sameUtterance})`,
      ExpressionAttributeNames: { '#final': 'final', '#ttl': CAPTIONS_TABLE.ttlAttribute, '#message': 'message' },
      ExpressionAttributeValues: {
        ':s': ref.segmentIndex,
        ':r': ref.revision,
        ':f': ref.final,
        ':ttl': Math.floor(this.now() / 1000) + KEEP_SECONDS,
        ':no': false,
        ...(message ? { ':m': message } : {}),
      },
    });
  }

  async newest(key: string): Promise<NewestCaption | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: this.key(key), ConsistentRead: true }));
    const item = out.Item;
    if (!item || typeof item.segmentIndex !== 'number') return undefined;
    const parsed = item.message === undefined ? undefined : CaptionMessage.safeParse(item.message);
    return {
      ref: { key, segmentIndex: item.segmentIndex, revision: Number(item.revision), final: item.final === true },
      ...(parsed?.success ? { message: parsed.data } : {}),
    };
  }

  async acquire(key: string, owner: string, now: number, until: number): Promise<boolean> {
    return this.conditional({
      Key: this.key(key),
      UpdateExpression: 'SET #owner = :o, turnUntil = :until',
      ConditionExpression: 'attribute_not_exists(turnUntil) OR turnUntil < :now OR #owner = :o',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':o': owner, ':until': until, ':now': now },
    });
  }

  async release(key: string, owner: string, sent: CaptionRef): Promise<boolean> {
    return this.conditional({
      Key: this.key(key),
      UpdateExpression: 'REMOVE #owner, turnUntil',
      ConditionExpression: '#owner = :o AND segmentIndex = :s AND revision = :r AND #final = :f',
      ExpressionAttributeNames: { '#owner': 'owner', '#final': 'final' },
      ExpressionAttributeValues: { ':o': owner, ':s': sent.segmentIndex, ':r': sent.revision, ':f': sent.final },
    });
  }

  async abandon(key: string, owner: string): Promise<void> {
    await this.conditional({
      Key: this.key(key),
      UpdateExpression: 'REMOVE #owner, turnUntil',
      ConditionExpression: '#owner = :o',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':o': owner },
    });
  }

  private key(turnKey: string) {
    const { sessionId, language } = parseTurnKey(turnKey);
    return { sessionId, entry: language === undefined ? ENTRY : `${ENTRY}#${language}` };
  }

  /** An update that may be refused by its condition: true when it was made. */
  private async conditional(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.table, ...input }));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

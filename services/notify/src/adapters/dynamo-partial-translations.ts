// The translated increments of each utterance in progress: one item per session, language and segment in the
// captions table (`<sessionId>` / `~partial-translation#<language>#<segmentIndex>`, beside the caption log, which
// never reads it) with one attribute pair per increment, `w<n>` (source words covered) and `t<n>` (its text,
// absent when empty). One UpdateItem sets an increment's pair and returns the whole item, so increments recorded
// from any number of Lambda environments at once never overwrite each other and each caller sees all of them.
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CAPTIONS_TABLE } from '@llt/platform';
import type { PartialTranslations, TranslatedIncrement } from '#core/ports';

const ENTRY = '~partial-translation';
/** The item goes with the captions (a day after the longest session). */
const KEEP_SECONDS = 2 * 24 * 3600;

export class DynamoPartialTranslations implements PartialTranslations {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async record(
    utterance: { sessionId: string; language: string; segmentIndex: number },
    translated: TranslatedIncrement,
  ): Promise<TranslatedIncrement[]> {
    const n = translated.increment;
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: {
          sessionId: utterance.sessionId,
          entry: `${ENTRY}#${utterance.language}#${String(utterance.segmentIndex).padStart(10, '0')}`,
        },
        // An empty translation is recorded by its word count alone: the increment is there, with nothing to show.
        UpdateExpression: `SET #w = :w, #ttl = :ttl${translated.text ? ', #t = :t' : ' REMOVE #t'}`,
        ExpressionAttributeNames: { '#w': `w${n}`, '#t': `t${n}`, '#ttl': CAPTIONS_TABLE.ttlAttribute },
        ExpressionAttributeValues: {
          ':w': translated.sourceWords,
          ':ttl': Math.floor(this.now() / 1000) + KEEP_SECONDS,
          ...(translated.text ? { ':t': translated.text } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = out.Attributes ?? {};
    const increments: TranslatedIncrement[] = [];
    for (const [name, words] of Object.entries(item)) {
      const match = /^w(\d+)$/.exec(name);
      if (!match || typeof words !== 'number') continue;
      const text = item[`t${match[1]}`];
      increments.push({
        increment: Number(match[1]),
        text: typeof text === 'string' ? text : '',
        sourceWords: words,
      });
    }
    return increments.sort((a, b) => a.increment - b.increment);
  }
}

// Amazon Transcribe custom vocabularies of live sessions: one per glossary version, named `llt-{sessionId}-v{n}`,
// built from a table file in the audio bucket (see aws-vocabulary-table.ts for the format and why a table).
//
// API behaviour relied on:
// - CreateVocabulary is asynchronous: the vocabulary starts PENDING and becomes READY (usable) or FAILED (with a
//   FailureReason), typically minutes later; a name already taken is a ConflictException, so a redelivered event
//   creates nothing twice (https://docs.aws.amazon.com/transcribe/latest/APIReference/API_CreateVocabulary.html,
//   https://docs.aws.amazon.com/transcribe/latest/APIReference/API_GetVocabulary.html).
// - VocabularyFileUri is an s3:// URI in the same region. Without a DataAccessRoleArn, Transcribe reads it with the
//   caller's permissions, so this function's role has s3:GetObject on the files' prefix.
// - A vocabulary cannot be deleted while it is in a non-terminal state: DeleteVocabulary answers BadRequestException
//   (https://docs.aws.amazon.com/transcribe/latest/APIReference/API_DeleteVocabulary.html); NotFoundException means
//   it is gone already.
// - The account holds 100 vocabularies by default (https://docs.aws.amazon.com/transcribe/latest/dg/custom-vocabulary.html):
//   past it CreateVocabulary answers LimitExceededException, surfaced with what to do.
// - ListVocabularies filters by NameContains and pages with NextToken
//   (https://docs.aws.amazon.com/transcribe/latest/APIReference/API_ListVocabularies.html).
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateVocabularyCommand,
  DeleteVocabularyCommand,
  type LanguageCode,
  ListVocabulariesCommand,
  type TranscribeClient,
} from '@aws-sdk/client-transcribe';
import { type GlossaryEntry, matchLanguage } from '@llt/events';
import { describeAwsError, VOCABULARY_FILES } from '@llt/platform';
import type { ServiceLog } from '#core/ports';
import type { CreateOutcome, CustomVocabularies, SessionVocabulary, VocabularyState } from '#core/vocabulary';
import { VocabularyBusyError, VocabularyError } from '#errors';
import { AMAZON_TRANSCRIBE_CAPABILITIES } from './aws-transcribe-languages.ts';
import { versionOfVocabulary, vocabularyName, vocabularyNamePrefix, vocabularyTable } from './aws-vocabulary-table.ts';

const STATES: readonly string[] = ['PENDING', 'READY', 'FAILED'] satisfies VocabularyState[];

export class AwsCustomVocabularies implements CustomVocabularies {
  constructor(
    private readonly transcribe: TranscribeClient,
    private readonly s3: S3Client,
    /** The audio bucket; tables go under VOCABULARY_FILES.prefix. */
    private readonly bucket: string,
    private readonly log?: ServiceLog,
  ) {}

  async list(sessionId: string): Promise<SessionVocabulary[]> {
    const found: SessionVocabulary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.transcribe.send(
        new ListVocabulariesCommand({
          NameContains: vocabularyNamePrefix(sessionId),
          MaxResults: 100,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const v of page.Vocabularies ?? []) {
        // NameContains matches anywhere in the name: only this session's own names count.
        const version = v.VocabularyName ? versionOfVocabulary(sessionId, v.VocabularyName) : undefined;
        if (version === undefined || !v.VocabularyState || !STATES.includes(v.VocabularyState)) continue;
        found.push({ version, state: v.VocabularyState as VocabularyState });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return found.sort((a, b) => a.version - b.version);
  }

  async create(
    sessionId: string,
    version: number,
    language: string,
    entries: readonly GlossaryEntry[],
  ): Promise<CreateOutcome> {
    const name = vocabularyName(sessionId, version);
    const languageCode = vocabularyLanguageCode(language);
    if (!languageCode) {
      this.log?.warn('no Amazon Transcribe locale for the session language; no vocabulary', { sessionId, language });
      return 'skipped';
    }
    const table = vocabularyTable(entries);
    if (table.omitted.length > 0) {
      this.log?.warn('glossary terms left out of the vocabulary', { sessionId, version, omitted: table.omitted });
    }
    if (table.rows.length === 0) return 'skipped';

    const key = VOCABULARY_FILES.key(sessionId, version);
    // Written again on a redelivery: the same version has the same entries, so the same bytes.
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: table.text,
        ContentType: 'text/plain; charset=utf-8',
      }),
    );
    try {
      await this.transcribe.send(
        new CreateVocabularyCommand({
          VocabularyName: name,
          LanguageCode: languageCode,
          VocabularyFileUri: `s3://${this.bucket}/${key}`,
        }),
      );
      return 'created';
    } catch (error) {
      switch (nameOf(error)) {
        case 'ConflictException':
          return 'exists';
        case 'LimitExceededException':
          throw new VocabularyError(
            `Amazon Transcribe refused vocabulary ${name}: the account's custom vocabulary quota (100 by default) or ` +
              'request rate is reached; request a higher Service Quotas limit or end idle sessions',
            { cause: error },
          );
        case 'BadRequestException':
          // Retrying the same request cannot succeed; the recogniser goes on without a vocabulary.
          this.log?.error('Amazon Transcribe rejected a session vocabulary', {
            sessionId,
            version,
            error: describeAwsError(error),
          });
          return 'skipped';
        default:
          throw error;
      }
    }
  }

  async delete(sessionId: string, version: number): Promise<'deleted' | 'absent'> {
    const name = vocabularyName(sessionId, version);
    try {
      await this.transcribe.send(new DeleteVocabularyCommand({ VocabularyName: name }));
      return 'deleted';
    } catch (error) {
      if (nameOf(error) === 'NotFoundException') return 'absent';
      if (nameOf(error) === 'BadRequestException') {
        throw new VocabularyBusyError(`vocabulary ${name} cannot be deleted yet: ${describeAwsError(error)}`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

const LOCALES = AMAZON_TRANSCRIBE_CAPABILITIES.languages;

/** The Transcribe locale of a session language, as the recogniser streams it (the two must match to apply). */
export function vocabularyLanguageCode(language: string): LanguageCode | undefined {
  const code = matchLanguage(
    LOCALES.map((l) => l.code),
    language,
  );
  return LOCALES.find((l) => l.code === code)?.engineCode as LanguageCode | undefined;
}

function nameOf(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

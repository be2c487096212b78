// Session glossaries as Amazon Transcribe custom vocabularies: the table file, the exact CreateVocabulary /
// ListVocabularies / DeleteVocabulary requests of the events handler, redeliveries, and the engine without any.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  BadRequestException,
  ConflictException,
  CreateVocabularyCommand,
  DeleteVocabularyCommand,
  LimitExceededException,
  ListVocabulariesCommand,
  NotFoundException,
  TranscribeClient,
} from '@aws-sdk/client-transcribe';
import { GlossaryChangedV1, type GlossaryEntry, SessionEndedV1 } from '@llt/events';
import type { EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { AwsCustomVocabularies } from '#adapters/aws-vocabularies';
import {
  MAX_VOCABULARY_BYTES,
  phraseOf,
  versionOfVocabulary,
  vocabularyName,
  vocabularyTable,
} from '#adapters/aws-vocabulary-table';
import { EngineWithoutVocabularies } from '#adapters/local-vocabularies';
import type { CustomVocabularies, GlossarySessions, VocabularyDeps } from '#core/vocabulary';
import { UnexpectedEventError, VocabularyBusyError, VocabularyError } from '#errors';
import { makeEventsHandler } from '#handlers/events';

const SESSION = 's_session0001';
const BUCKET = 'llt-dev-audio-123456789012-eu-west-1';

const transcribe = mockClient(TranscribeClient);
const s3 = mockClient(S3Client);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const transcribeClient = new TranscribeClient({ region: 'eu-west-1', credentials });
const s3Client = new S3Client({ region: 'eu-west-1', credentials });

const ENTRIES: GlossaryEntry[] = [
  { term: 'Nguyen', spoken: 'win' },
  { term: 'SVOX Pico' },
  { term: 'K8s', spoken: 'kay eights' },
  { term: 'AT&T' },
  { term: 'O’Brien', targets: { es: 'O’Brien' } },
];

function vocabularies(): AwsCustomVocabularies {
  return new AwsCustomVocabularies(transcribeClient, s3Client, BUCKET);
}

class Sessions implements GlossarySessions {
  sessions = new Map<string, { sourceLanguage: string; live: boolean }>([
    [SESSION, { sourceLanguage: 'en', live: true }],
  ]);
  async session(sessionId: string) {
    return this.sessions.get(sessionId);
  }
}

const counts: Record<string, number> = {};
function deps(over: Partial<VocabularyDeps> = {}, sessions = new Sessions()): VocabularyDeps {
  return {
    vocabularies: vocabularies(),
    sessions,
    log: { info() {}, warn() {}, error() {} },
    metrics: {
      latency() {},
      count(name, by = 1) {
        counts[name] = (counts[name] ?? 0) + by;
      },
    },
    ...over,
  };
}

function glossaryChanged(version: number, entries: GlossaryEntry[] = ENTRIES): EventBridgeEvent<string, unknown> {
  const detail = GlossaryChangedV1.schema.parse({ v: 1, sessionId: SESSION, version, entries, occurredAt: 1_000 });
  return event(GlossaryChangedV1.detailType, detail);
}

function sessionEnded(): EventBridgeEvent<string, unknown> {
  return event(
    SessionEndedV1.detailType,
    SessionEndedV1.schema.parse({ v: 1, sessionId: SESSION, reason: 'speaker-ended', occurredAt: 2_000 }),
  );
}

function event(detailType: string, detail: unknown): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id: 'e1',
    'detail-type': detailType,
    source: 'llt.ingest',
    account: '123456789012',
    time: '2026-12-06T08:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

/** ListVocabularies answers with these vocabularies (name → state). */
function existing(vocabs: Record<string, 'PENDING' | 'READY' | 'FAILED'>): void {
  transcribe.on(ListVocabulariesCommand).resolves({
    Vocabularies: Object.entries(vocabs).map(([VocabularyName, VocabularyState]) => ({
      VocabularyName,
      VocabularyState,
      LanguageCode: 'en-US',
    })),
  });
}

function deleted(): string[] {
  return transcribe.commandCalls(DeleteVocabularyCommand).map((c) => c.args[0].input.VocabularyName!);
}

beforeEach(() => {
  transcribe.reset();
  s3.reset();
  for (const key of Object.keys(counts)) delete counts[key];
  transcribe.on(ListVocabulariesCommand).resolves({ Vocabularies: [] });
  transcribe.on(CreateVocabularyCommand).resolves({ VocabularyState: 'PENDING' });
  transcribe.on(DeleteVocabularyCommand).resolves({});
  s3.on(PutObjectCommand).resolves({});
});

describe('vocabulary table', () => {
  test('one row per term and per respelling, displayed as the term; phrases hyphenated, no digits or &', () => {
    const table = vocabularyTable(ENTRIES);
    expect(table.text.split('\n')).toEqual([
      'Phrase\tSoundsLike\tIPA\tDisplayAs',
      'Nguyen\t\t\tNguyen',
      'win\t\t\tNguyen',
      'SVOX-Pico\t\t\tSVOX Pico',
      // "K8s" has a digit: only its respelling can be a phrase.
      'kay-eights\t\t\tK8s',
      "O'Brien\t\t\tO’Brien",
    ]);
    expect(table.omitted).toEqual(['AT&T']);
  });

  test('phrases: spaces and hyphen runs become one hyphen; digits and & give none', () => {
    expect(phraseOf('Andorra la Vella')).toBe('Andorra-la-Vella');
    expect(phraseOf('Jean-Luc  Picard')).toBe('Jean-Luc-Picard');
    expect(phraseOf('C.L.I.')).toBe('C.L.I.');
    expect(phraseOf('koo ber net eez')).toBe('koo-ber-net-eez');
    expect(phraseOf('Zoë Ñúñez')).toBe('Zoë-Ñúñez');
    expect(phraseOf('VX02Q')).toBeUndefined();
    expect(phraseOf('R&D')).toBeUndefined();
  });

  test('a respelling equal to the term adds no row; the file never passes 50 KB', () => {
    expect(vocabularyTable([{ term: 'Kubernetes', spoken: 'kubernetes' }]).rows).toHaveLength(1);
    const long = Array.from({ length: 200 }, (_, i) => ({
      term: `${'Abcdefghij'.repeat(6)}${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`,
      spoken: `${'abcdefghij '.repeat(11)}${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`,
    }));
    const table = vocabularyTable(long);
    expect(Buffer.byteLength(table.text)).toBeLessThanOrEqual(MAX_VOCABULARY_BYTES);
    expect(table.omitted.length).toBeGreaterThan(0);
    expect(table.rows.length + table.omitted.length * 2).toBe(400);
  });

  test('names: llt-{sessionId}-v{version}, and only this session’s own names read back', () => {
    expect(vocabularyName(SESSION, 3)).toBe('llt-s_session0001-v3');
    expect(versionOfVocabulary(SESSION, 'llt-s_session0001-v12')).toBe(12);
    expect(versionOfVocabulary(SESSION, 'llt-s_session0001-v1x')).toBeUndefined();
    expect(versionOfVocabulary(SESSION, 'llt-s_session00012-v1')).toBeUndefined();
    expect(versionOfVocabulary(SESSION, 'xllt-s_session0001-v1')).toBeUndefined();
  });
});

describe('AwsCustomVocabularies', () => {
  test('create: the table goes to the audio bucket, then CreateVocabulary names it, in the session locale', async () => {
    await expect(vocabularies().create(SESSION, 2, 'en', ENTRIES)).resolves.toBe('created');
    const [put] = s3.commandCalls(PutObjectCommand);
    expect(put!.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: 'vocabularies/s_session0001/v2.txt',
      Body: vocabularyTable(ENTRIES).text,
      ContentType: 'text/plain; charset=utf-8',
    });
    const calls = transcribe.commandCalls(CreateVocabularyCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      {
        VocabularyName: 'llt-s_session0001-v2',
        LanguageCode: 'en-US',
        VocabularyFileUri: `s3://${BUCKET}/vocabularies/s_session0001/v2.txt`,
      },
    ]);
    // Never the deprecated list form.
    expect(calls[0]!.args[0].input.Phrases).toBeUndefined();
  });

  test('create: the locale follows the session language as the recogniser streams it', async () => {
    await vocabularies().create(SESSION, 1, 'es-ES', ENTRIES);
    await vocabularies().create(SESSION, 2, 'es', ENTRIES);
    expect(transcribe.commandCalls(CreateVocabularyCommand).map((c) => c.args[0].input.LanguageCode)).toEqual([
      'es-ES',
      'es-US',
    ]);
  });

  test('create: a name already taken is the same vocabulary (redelivery); nothing to recognise creates nothing', async () => {
    transcribe.on(CreateVocabularyCommand).rejects(new ConflictException({ message: 'exists', $metadata: {} }));
    await expect(vocabularies().create(SESSION, 2, 'en', ENTRIES)).resolves.toBe('exists');
    transcribe.resetHistory();
    s3.resetHistory();
    await expect(vocabularies().create(SESSION, 3, 'en', [{ term: 'R2D2' }])).resolves.toBe('skipped');
    await expect(vocabularies().create(SESSION, 3, 'eo', ENTRIES)).resolves.toBe('skipped');
    expect(transcribe.commandCalls(CreateVocabularyCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('create: the account quota surfaces as a VocabularyError saying what to do; a bad request is not retried', async () => {
    const limit = new LimitExceededException({ message: 'limit', $metadata: {} });
    transcribe.on(CreateVocabularyCommand).rejects(limit);
    const error = await vocabularies()
      .create(SESSION, 2, 'en', ENTRIES)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VocabularyError);
    expect((error as Error).message).toMatch(/quota \(100 by default\)/);
    expect((error as Error).cause).toBe(limit);
    transcribe.on(CreateVocabularyCommand).rejects(new BadRequestException({ message: 'bad char', $metadata: {} }));
    await expect(vocabularies().create(SESSION, 2, 'en', ENTRIES)).resolves.toBe('skipped');
  });

  test("list: one session's vocabularies by name, every page, other names ignored", async () => {
    transcribe.on(ListVocabulariesCommand, { NameContains: 'llt-s_session0001-v', MaxResults: 100 }).resolvesOnce({
      Vocabularies: [
        { VocabularyName: 'llt-s_session0001-v2', VocabularyState: 'PENDING' },
        { VocabularyName: 'llt-s_session00012-v1', VocabularyState: 'READY' },
      ],
      NextToken: 'page2',
    });
    transcribe
      .on(ListVocabulariesCommand, { NameContains: 'llt-s_session0001-v', NextToken: 'page2' })
      .resolvesOnce({ Vocabularies: [{ VocabularyName: 'llt-s_session0001-v1', VocabularyState: 'READY' }] });
    await expect(vocabularies().list(SESSION)).resolves.toEqual([
      { version: 1, state: 'READY' },
      { version: 2, state: 'PENDING' },
    ]);
    expect(transcribe.commandCalls(ListVocabulariesCommand).map((c) => c.args[0].input)).toEqual([
      { NameContains: 'llt-s_session0001-v', MaxResults: 100 },
      { NameContains: 'llt-s_session0001-v', MaxResults: 100, NextToken: 'page2' },
    ]);
  });

  test('delete: gone already is fine; refused (still being built) is VocabularyBusyError', async () => {
    await expect(vocabularies().delete(SESSION, 1)).resolves.toBe('deleted');
    expect(deleted()).toEqual(['llt-s_session0001-v1']);
    transcribe.on(DeleteVocabularyCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));
    await expect(vocabularies().delete(SESSION, 1)).resolves.toBe('absent');
    transcribe
      .on(DeleteVocabularyCommand)
      .rejects(new BadRequestException({ message: 'non-terminal state', $metadata: {} }));
    await expect(vocabularies().delete(SESSION, 2)).rejects.toBeInstanceOf(VocabularyBusyError);
  });
});

describe('transcribe events handler', () => {
  test('GlossaryChanged: creates the new version, then deletes every older one', async () => {
    existing({ 'llt-s_session0001-v1': 'READY', 'llt-s_session0001-v2': 'FAILED' });
    await makeEventsHandler(deps())(glossaryChanged(3));
    expect(transcribe.commandCalls(CreateVocabularyCommand).map((c) => c.args[0].input.VocabularyName)).toEqual([
      'llt-s_session0001-v3',
    ]);
    expect(deleted()).toEqual(['llt-s_session0001-v1', 'llt-s_session0001-v2']);
    expect(counts).toEqual({ VocabulariesCreated: 1, VocabulariesDeleted: 2 });
  });

  test('a redelivered GlossaryChanged finds its vocabulary there (ConflictException) and succeeds', async () => {
    existing({ 'llt-s_session0001-v3': 'PENDING' });
    transcribe.on(CreateVocabularyCommand).rejects(new ConflictException({ message: 'exists', $metadata: {} }));
    await expect(makeEventsHandler(deps())(glossaryChanged(3))).resolves.toBeUndefined();
    expect(deleted()).toEqual([]);
  });

  test('a GlossaryChanged arriving after a newer version builds nothing and removes its leftovers', async () => {
    existing({ 'llt-s_session0001-v1': 'READY', 'llt-s_session0001-v3': 'READY' });
    await makeEventsHandler(deps())(glossaryChanged(2));
    expect(transcribe.commandCalls(CreateVocabularyCommand)).toHaveLength(0);
    expect(deleted()).toEqual(['llt-s_session0001-v1']);
  });

  test('an older version still being built is deleted on a retry: the others go first, then the event fails', async () => {
    existing({ 'llt-s_session0001-v1': 'READY', 'llt-s_session0001-v2': 'PENDING' });
    await expect(makeEventsHandler(deps())(glossaryChanged(3))).rejects.toBeInstanceOf(VocabularyBusyError);
    expect(transcribe.commandCalls(CreateVocabularyCommand)).toHaveLength(1);
    expect(deleted()).toEqual(['llt-s_session0001-v1']);
    expect(counts.VocabularyDeletesDeferred).toBe(1);
  });

  test("SessionEnded deletes every one of the session's vocabularies", async () => {
    existing({ 'llt-s_session0001-v1': 'READY', 'llt-s_session0001-v2': 'FAILED' });
    await makeEventsHandler(deps())(sessionEnded());
    expect(deleted()).toEqual(['llt-s_session0001-v1', 'llt-s_session0001-v2']);
    expect(transcribe.commandCalls(CreateVocabularyCommand)).toHaveLength(0);
  });

  test('a GlossaryChanged of a session that has ended builds nothing and deletes what is there', async () => {
    const sessions = new Sessions();
    sessions.sessions.set(SESSION, { sourceLanguage: 'en', live: false });
    existing({ 'llt-s_session0001-v1': 'READY' });
    await makeEventsHandler(deps({}, sessions))(glossaryChanged(2));
    expect(transcribe.commandCalls(CreateVocabularyCommand)).toHaveLength(0);
    expect(deleted()).toEqual(['llt-s_session0001-v1']);
  });

  test('an engine without vocabularies (PocketSphinx locally) calls no AWS API', async () => {
    const local: CustomVocabularies = new EngineWithoutVocabularies();
    const handler = makeEventsHandler(deps({ vocabularies: local }));
    await handler(glossaryChanged(1));
    await handler(sessionEnded());
    expect(transcribe.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  test('an event it has no use case for is refused', async () => {
    await expect(makeEventsHandler(deps())(event('SessionStarted', {}))).rejects.toBeInstanceOf(UnexpectedEventError);
  });

  test('an invalid detail is refused before any AWS call', async () => {
    const bad = event(GlossaryChangedV1.detailType, { v: 1, sessionId: SESSION, version: 0, entries: [] });
    await expect(makeEventsHandler(deps())(bad)).rejects.toThrow();
    expect(transcribe.calls()).toHaveLength(0);
  });
});

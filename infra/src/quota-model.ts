// What the AWS services see when many sessions run at once, against the default quotas of a fresh account, from the
// same assumptions as the cost model (cost-model.ts): which quota a deployment meets first and what to request.
//   node --import tsx infra/src/quota-model.ts [--sessions 1,10,100] [--listeners 100,500] [--languages 4]
// The README's quotas table is this script's output.
import { parseArgs } from 'node:util';
import { ASSUMPTIONS } from './cost-model.ts';

/** A fresh account's default quota for one rate, and the page that says so. */
export interface Quota {
  service: string;
  /** What the rate counts. */
  unit: string;
  /** The default in a fresh account (most regions); undefined where AWS publishes none. */
  limit: number | undefined;
  adjustable: boolean;
  source: string;
  /** What to do when the rate approaches it. */
  request: string;
}

export const QUOTAS = {
  transcribeStreams: {
    service: 'Transcribe streaming',
    unit: 'concurrent streams',
    limit: 25,
    adjustable: true,
    source: 'https://docs.aws.amazon.com/general/latest/gr/transcribe.html',
    request:
      'Service Quotas: "concurrent streaming transcriptions" (HTTP/2) to the peak of live sessions, plus one per worker for the replacement stream opened before an old one ends; some regions start at 5',
  },
  translateTps: {
    service: 'Translate',
    unit: 'TranslateText/s',
    limit: undefined,
    adjustable: true,
    source: 'https://docs.aws.amazon.com/translate/latest/dg/what-is-limits.html',
    request:
      'no published rate quota ("Translate scales to serve operational traffic"); on sustained ThrottledCount, open a support case with the rate from this table',
  },
  pollyTps: {
    service: 'Polly (neural)',
    unit: 'SynthesizeSpeech/s',
    limit: 8,
    adjustable: true,
    source: 'https://docs.aws.amazon.com/polly/latest/dg/limits.html',
    request:
      'Service Quotas: SynthesizeSpeech rate for neural voices (8 TPS, bursts of 10) to twice the average here (sentences end in bursts)',
  },
  postToConnection: {
    service: 'API Gateway',
    unit: 'PostToConnection/s',
    limit: 10_000,
    adjustable: true,
    source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html',
    request:
      'Service Quotas: the account throttle, shared by HTTP, REST, WebSocket and WebSocket callback (@connections) APIs (10,000 RPS; 2,500 in newer regions), above this rate plus 10 audio frames/s per speaker',
  },
  kinesisIn: {
    service: 'Kinesis (on-demand)',
    unit: 'MB/s written',
    limit: 4,
    adjustable: false,
    source: 'https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html',
    request:
      'none: an on-demand stream starts at 4 MB/s and 4,000 records/s written and doubles its peak as traffic grows; one session (one partition key) stays far below a shard’s 1 MB/s',
  },
  kinesisOut: {
    service: 'Kinesis (on-demand)',
    unit: 'MB/s read',
    limit: 8,
    adjustable: false,
    source: 'https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html',
    request: 'none: read capacity is twice the write capacity (2 MB/s per shard) and follows it',
  },
  lambdaConcurrency: {
    service: 'Lambda',
    unit: 'concurrent executions',
    limit: 1_000,
    adjustable: true,
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html',
    request:
      'Service Quotas: "Concurrent executions" (1,000 by default, but new accounts start lower and are raised with use: check the account’s value before a large event)',
  },
} as const satisfies Record<string, Quota>;

export type RateName = keyof typeof QUOTAS;

export interface LoadRates {
  sessions: number;
  listeners: number;
  languages: number;
  /** Average rates over an hour of talk (sentences end in bursts: peaks are higher). */
  rates: Record<RateName, number>;
}

/**
 * The rates `sessions` concurrent sessions, each with `listeners` listeners spread over `languages` target
 * languages, put on each service, averaged over an hour of continuous talk.
 */
export function loadRates(sessions: number, listeners: number, languages: number): LoadRates {
  const a = ASSUMPTIONS;
  const sentencesPerSecond = a.sentencesPerHour / 3600;
  const framesPerSecond = a.framesPerHour / 3600;
  const audioMBPerSecond = (a.audioGbPerHour * 1000) / 3600;
  // One TranslateText and one SynthesizeSpeech per sentence and language.
  const perLanguageCalls = sessions * sentencesPerSecond * languages;
  // Every listener receives its messages (partials, final, translation, audio URL) through one PostToConnection
  // each; the speaker receives the source captions and the translations.
  const speakerMessagesPerSentence = a.partialsPerSentence + 1 + languages;
  const postToConnection =
    sessions * sentencesPerSecond * (listeners * a.messagesPerListenerPerSentence + speakerMessagesPerSentence);
  // Lambda: invocations per second times their duration (as the cost model counts them).
  const fanoutsPerSecond = sentencesPerSecond * (a.partialsPerSentence + 1);
  const taskInvocationsPerSecond = sentencesPerSecond * (1 + 4 * languages);
  const concurrencyPerSession =
    framesPerSecond * a.ingestSecondsPerFrame +
    taskInvocationsPerSecond * a.workflowTaskSeconds +
    fanoutsPerSecond * a.notifySecondsPerFanout * Math.max(1, listeners / 64);
  return {
    sessions,
    listeners,
    languages,
    rates: {
      transcribeStreams: sessions,
      translateTps: perLanguageCalls,
      pollyTps: perLanguageCalls,
      postToConnection,
      kinesisIn: sessions * audioMBPerSecond,
      // The transcription workers read each record once.
      kinesisOut: sessions * audioMBPerSecond,
      lambdaConcurrency: sessions * concurrencyPerSession,
    },
  };
}

/**
 * The adjustable quotas a load reaches `share` of (the increases to request before it runs). Kinesis on-demand
 * capacity is not a quota: it grows with the traffic by itself.
 */
export function quotasToRaise(load: LoadRates, share = 0.8): RateName[] {
  return (Object.keys(QUOTAS) as RateName[]).filter((name) => {
    const { limit, adjustable } = QUOTAS[name];
    return adjustable && limit !== undefined && load.rates[name] >= share * limit;
  });
}

const format = (value: number) =>
  Number.isInteger(value) || value >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value >= 10
      ? value.toFixed(1)
      : value.toFixed(2);

/** The README's two tables: rates per load against the defaults, and the quotas with their sources. */
export function quotaTables(sessions: number[], listeners: number[], languages: number): string {
  const names = Object.keys(QUOTAS) as RateName[];
  const header = names.map((n) => `${QUOTAS[n].service}: ${QUOTAS[n].unit}`);
  const lines = [
    `| sessions | listeners each | ${header.join(' | ')} | increases to request (over 80 % of the default) |`,
    `|${'---|'.repeat(names.length + 3)}`,
  ];
  for (const s of sessions) {
    for (const l of listeners) {
      const load = loadRates(s, l, languages);
      const cells = names.map((n) => {
        const limit = QUOTAS[n].limit;
        const value = format(load.rates[n]);
        return limit !== undefined && load.rates[n] > limit ? `**${value}**` : value;
      });
      const raise = quotasToRaise(load).map((n) => QUOTAS[n].service);
      lines.push(`| ${s} | ${l} | ${cells.join(' | ')} | ${[...new Set(raise)].join(', ') || '—'} |`);
    }
  }
  const defaults = names.map((n) => (QUOTAS[n].limit === undefined ? 'none published' : format(QUOTAS[n].limit)));
  lines.push(`| default quota | | ${defaults.join(' | ')} | |`);
  lines.push('', '| rate | default | adjustable | what to request | source |', '|---|---|---|---|---|');
  for (const n of names) {
    const q = QUOTAS[n];
    const limit = q.limit === undefined ? 'none published' : `${format(q.limit)} ${q.unit}`;
    lines.push(`| ${q.service}: ${q.unit} | ${limit} | ${q.adjustable ? 'yes' : 'no'} | ${q.request} | ${q.source} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      sessions: { type: 'string', default: '1,10,100' },
      listeners: { type: 'string', default: '100,500' },
      languages: { type: 'string', default: '4' },
    },
  });
  const list = (v: string) => v.split(',').map(Number);
  console.log(quotaTables(list(values.sessions), list(values.listeners), Number(values.languages)));
}

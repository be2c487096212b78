// What one session-hour costs on AWS, from the published list prices (us-east-1) of every service it uses.
//   node --import tsx infra/src/cost-model.ts [--languages 1,2,4] [--listeners 10,100,500] [--provisional on|off]
// The assumptions are named below; change them here, not in the README (which prints this table).
import { parseArgs } from 'node:util';

/** List prices, us-east-1, on-demand, first pricing tier. Check https://aws.amazon.com/pricing before relying on them. */
export const PRICES = {
  transcribeStreamingPerMinute: 0.024,
  translatePerMillionChars: 15,
  pollyNeuralPerMillionChars: 16,
  websocketPerMillionMessages: 1.0,
  websocketPerMillionConnectionMinutes: 0.25,
  lambdaArmPerGbSecond: 0.0000133334,
  fargateArmPerVcpuHour: 0.03238,
  fargateArmPerGbHour: 0.00356,
  publicIpv4PerHour: 0.005,
  lambdaPerMillionRequests: 0.2,
  expressWorkflowPerMillionRequests: 1.0,
  expressWorkflowPerGbSecond: 0.00001667,
  eventBridgePerMillionEvents: 1.0,
  kinesisOnDemandPerStreamHour: 0.04,
  kinesisOnDemandPerGbIn: 0.08,
  kinesisOnDemandPerGbOut: 0.04,
  dynamoPerMillionWrites: 0.625,
  dynamoPerMillionReads: 0.125,
  s3PerThousandPuts: 0.005,
  s3PerThousandGets: 0.0004,
  dataTransferOutPerGb: 0.09,
  xrayPerMillionTraces: 5,
} as const;

/** How a session behaves in an hour. */
export const ASSUMPTIONS = {
  /** Fluent talk: ~150 words a minute, ~6 characters a word with the space, ~15 words a sentence. */
  charactersPerHour: 150 * 60 * 6,
  sentencesPerHour: (150 * 60) / 15,
  /**
   * 100 ms audio frames: one WebSocket message and one ingest invocation each, and two writes to the session's frame
   * ledger (the claim before the put to Kinesis, the confirmation after it).
   */
  framesPerHour: 36_000,
  ledgerWritesPerFrame: 2,
  /**
   * Partial captions: ~4 TranscriptPartial events a sentence. Notify offers each to the session's partial turn (one
   * write); the one that takes the turn (a write) fans it out, reading the newest partial (a consistent read) after
   * every 200 listeners, and gives the turn back (a write). The final offers once more (a write) to drop stale ones.
   */
  partialsPerSentence: 4,
  partialTurnWritesPerPartial: 3,
  partialTurnListenersPerRead: 200,
  /** 16 kHz s16 mono plus the frame header. */
  audioGbPerHour: (32_000 * 3600) / 1e9,
  /** Messages each listener receives per sentence: ~4 partial captions, the final, the translation, the audio. */
  messagesPerListenerPerSentence: 7,
  /** One MP3 clip per sentence and language at 48 kbps, ~3.5 s. */
  clipBytes: 21_000,
  /** Lambda: 512 MB; ingest ~10 ms per frame, each workflow task ~150 ms, notify ~50 ms per fan-out. */
  lambdaGb: 0.5,
  ingestSecondsPerFrame: 0.01,
  /**
   * Transcription workers: a fixed Fargate fleet (2 tasks of 0.5 vCPU and 1 GB on ARM, each with a public IPv4
   * address) shared by the sessions live at once, assumed 10 here: its cost per session-hour is the fleet's hour over
   * them. Lease writes: a checkpoint per second on each of the stream's 4 shards, a heartbeat per worker every 3 s.
   */
  workerTasks: 2,
  workerVcpu: 0.5,
  workerGb: 1,
  sessionsSharingWorkers: 10,
  streamShards: 4,
  leaseWritesPerShardHour: 3_600,
  heartbeatsPerWorkerHour: 1_200,
  workflowTaskSeconds: 0.15,
  notifySecondsPerFanout: 0.05,
  /** Express executions: ~1 s at the 64 MB minimum. */
  workflowGbSeconds: 0.0625,
  /** X-Ray's default sampling: about 5 % of requests beyond the first each second. */
  xraySampledShare: 0.05,
  /**
   * Translating while the speaker talks (provisional captions): the stable words of an utterance in progress go out
   * as TranscriptStabilized increments of ~2.5 words (60 a minute at 150 words a minute). Each increment is
   * translated on its own, so every source character is translated once more per language, and remembered in
   * translate's memo (one write per language); it runs one Express
   * execution (the languages, then translate and notify per language: 1 + 2 per language task invocations); it is
   * one event on the bus plus a TranslationPartial per language; each listener of a language gets its provisional
   * caption. Notify records the translated increment (a write) and takes the language's partial turn for it (three
   * writes, a consistent read per 200 listeners); the languages and notify tasks each read the listeners.
   */
  incrementsPerHour: (150 * 60) / 2.5,
  provisionalWritesPerIncrement: 4,
  memoWritesPerIncrement: 1,
  /**
   * Long sentences are spoken clause by clause while they go on: a clause every ~6 words (25 a minute). Its earlier
   * increments are read back from translate's memo (one strongly consistent Query per language, a few hundred bytes:
   * one read unit), not translated again, and it is one more synthesis, audio object, notify invocation and audio
   * message per listener; Polly's characters are the same (the final speaks the rest).
   */
  clausesPerHour: (150 * 60) / 6,
  /**
   * The final of a sentence spoken in increments reads them back from the memo the same way (one read per
   * language) and translates only the words after them. The Translate line above still bills the whole sentence
   * for the final, as with the feature off: an upper bound, since the share of a final the increments cover is not
   * modelled (the rest after the last increment, and finals that revised words shown, are translated whole).
   */
  memoReadsPerClause: 1,
  memoReadsPerSentence: 1,
} as const;

/** Lines of the bill that only translating while the speaker talks adds (all absent when it is off). */
export const WHILE_SPEAKING = 'While speaking: ';

export interface SessionHourCost {
  languages: number;
  listeners: number;
  lines: Record<string, number>;
  total: number;
  /** The part of `total` in the `While speaking: …` lines (0 with provisional translation off). */
  whileSpeaking: number;
}

export interface CostOptions {
  /** Translating while the speaker talks (LLT_PROVISIONAL_TRANSLATION, on by default). */
  provisional?: boolean;
}

/** Cost of one hour of one speaker translated into `languages` languages for `listeners` listeners. */
export function costPerSessionHour(
  languages: number,
  listeners: number,
  { provisional = true }: CostOptions = {},
): SessionHourCost {
  const p = PRICES;
  const a = ASSUMPTIONS;
  const sentences = a.sentencesPerHour;
  const wsMessages = a.framesPerHour + sentences * a.messagesPerListenerPerSentence * listeners;
  // Events on the bus per sentence: the partials, the final, TranslationReady and SpeechSynthesized per language.
  const events = sentences * (a.partialsPerSentence + 1 + 2 * languages);
  // Lambda invocations: ingest per frame, notify per event fan-out and per workflow task.
  const taskInvocations = sentences * (1 + 4 * languages);
  const fanouts = sentences * (a.partialsPerSentence + 1);
  const invocations = a.framesPerHour + taskInvocations + fanouts;
  const gbSeconds =
    a.lambdaGb *
    (a.framesPerHour * a.ingestSecondsPerFrame +
      taskInvocations * a.workflowTaskSeconds +
      fanouts * a.notifySecondsPerFanout * Math.max(1, listeners / 64));
  // The worker fleet and its lease table, per session sharing it.
  const fleetHour =
    a.workerTasks * (a.workerVcpu * p.fargateArmPerVcpuHour + a.workerGb * p.fargateArmPerGbHour + p.publicIpv4PerHour);
  const leaseWrites = a.streamShards * a.leaseWritesPerShardHour + a.workerTasks * a.heartbeatsPerWorkerHour;
  const translatedChars = a.charactersPerHour * languages;
  // The partial turn each partial caption's fan-out takes, across functions and environments.
  const partialTurnWrites = sentences * (a.partialsPerSentence * a.partialTurnWritesPerPartial + 1);
  const partialTurnReads =
    sentences * a.partialsPerSentence * Math.max(1, Math.ceil(listeners / a.partialTurnListenersPerRead));
  const lines = {
    'Transcribe streaming': 60 * p.transcribeStreamingPerMinute,
    Translate: (translatedChars / 1e6) * p.translatePerMillionChars,
    'Polly (neural)': (translatedChars / 1e6) * p.pollyNeuralPerMillionChars,
    'API Gateway WebSocket':
      (wsMessages / 1e6) * p.websocketPerMillionMessages +
      ((listeners + 1) * 60 * p.websocketPerMillionConnectionMinutes) / 1e6,
    Lambda: gbSeconds * p.lambdaArmPerGbSecond + (invocations / 1e6) * p.lambdaPerMillionRequests,
    'Fargate (transcription workers)': fleetHour / a.sessionsSharingWorkers,
    'Step Functions (Express)':
      (sentences / 1e6) * p.expressWorkflowPerMillionRequests +
      sentences * a.workflowGbSeconds * p.expressWorkflowPerGbSecond,
    EventBridge: (events / 1e6) * p.eventBridgePerMillionEvents,
    'Kinesis (on-demand)':
      p.kinesisOnDemandPerStreamHour + a.audioGbPerHour * (p.kinesisOnDemandPerGbIn + p.kinesisOnDemandPerGbOut),
    DynamoDB:
      ((a.framesPerHour * a.ledgerWritesPerFrame) / 1e6) * p.dynamoPerMillionWrites +
      (partialTurnWrites / 1e6) * p.dynamoPerMillionWrites +
      (partialTurnReads / 1e6) * p.dynamoPerMillionReads +
      ((sentences * (3 + 3 * languages)) / 1e6) * p.dynamoPerMillionWrites +
      ((fanouts + taskInvocations) / 1e6) * p.dynamoPerMillionReads * Math.max(1, listeners / 40) +
      (leaseWrites / 1e6 / a.sessionsSharingWorkers) * p.dynamoPerMillionWrites,
    S3: ((sentences * languages) / 1000) * p.s3PerThousandPuts + ((sentences * listeners) / 1000) * p.s3PerThousandGets,
    'Data transfer out': ((sentences * listeners * a.clipBytes) / 1e9) * p.dataTransferOutPerGb,
    'X-Ray': ((invocations * a.xraySampledShare) / 1e6) * p.xrayPerMillionTraces,
  };
  const extra = provisional ? whileSpeaking(languages, listeners) : {};
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const whileSpeakingTotal = sum(Object.values(extra));
  return {
    languages,
    listeners,
    lines: { ...lines, ...extra },
    total: sum(Object.values(lines)) + whileSpeakingTotal,
    whileSpeaking: whileSpeakingTotal,
  };
}

/** What translating while the speaker talks adds to a session-hour, line by line. */
function whileSpeaking(languages: number, listeners: number): Record<string, number> {
  const p = PRICES;
  const a = ASSUMPTIONS;
  const increments = a.incrementsPerHour;
  const clauses = a.clausesPerHour;
  const invocations = increments * (1 + 2 * languages) + clauses * 2 * languages;
  // Reads of the listeners (languages task, notify per language) and of the newest partial (every 200 listeners).
  const listenerReads = increments * (1 + languages) * Math.max(1, listeners / 40);
  const turnReads = increments * languages * Math.max(1, Math.ceil(listeners / a.partialTurnListenersPerRead));
  // Translate's memo, per language: clauses and finals read back the increments translated before them.
  const memoReads = languages * (clauses * a.memoReadsPerClause + a.sentencesPerHour * a.memoReadsPerSentence);
  return {
    // The increments, once: clauses and finals read their pieces back from the memo.
    [`${WHILE_SPEAKING}Translate`]: ((a.charactersPerHour * languages) / 1e6) * p.translatePerMillionChars,
    // Each listener gets the provisional captions of its own language (one message per increment, whatever the
    // number of languages) and its clauses' audio.
    [`${WHILE_SPEAKING}API Gateway WebSocket`]:
      (((increments + clauses) * listeners) / 1e6) * p.websocketPerMillionMessages,
    [`${WHILE_SPEAKING}S3`]:
      ((clauses * languages) / 1000) * p.s3PerThousandPuts + ((clauses * listeners) / 1000) * p.s3PerThousandGets,
    [`${WHILE_SPEAKING}Lambda`]:
      invocations * a.workflowTaskSeconds * a.lambdaGb * p.lambdaArmPerGbSecond +
      (invocations / 1e6) * p.lambdaPerMillionRequests,
    [`${WHILE_SPEAKING}Step Functions (Express)`]:
      (increments / 1e6) * p.expressWorkflowPerMillionRequests +
      increments * a.workflowGbSeconds * p.expressWorkflowPerGbSecond,
    [`${WHILE_SPEAKING}EventBridge`]: ((increments * (1 + languages)) / 1e6) * p.eventBridgePerMillionEvents,
    [`${WHILE_SPEAKING}DynamoDB`]:
      ((increments * languages * (a.provisionalWritesPerIncrement + a.memoWritesPerIncrement)) / 1e6) *
        p.dynamoPerMillionWrites +
      ((listenerReads + turnReads + memoReads) / 1e6) * p.dynamoPerMillionReads,
    [`${WHILE_SPEAKING}X-Ray`]: ((invocations * a.xraySampledShare) / 1e6) * p.xrayPerMillionTraces,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      languages: { type: 'string', default: '1,2,4' },
      listeners: { type: 'string', default: '10,100,500' },
      provisional: { type: 'string', default: 'on' },
    },
  });
  const languages = values.languages.split(',').map(Number);
  const listeners = values.listeners.split(',').map(Number);
  const options = { provisional: values.provisional !== 'off' };
  const columns = Object.keys(costPerSessionHour(1, 1, options).lines);
  console.log(`| languages | listeners | ${columns.join(' | ')} | total | of which while speaking |`);
  console.log(`|${'---|'.repeat(columns.length + 4)}`);
  for (const n of languages) {
    for (const m of listeners) {
      const cost = costPerSessionHour(n, m, options);
      const cells = Object.values(cost.lines).map((v) => `$${v.toFixed(3)}`);
      console.log(
        `| ${n} | ${m} | ${cells.join(' | ')} | **$${cost.total.toFixed(2)}** | $${cost.whileSpeaking.toFixed(2)} |`,
      );
    }
  }
}

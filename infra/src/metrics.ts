// The figures the services record with Powertools (`metrics.latency(…)` / `.count(…)` in services/*/src), in
// the namespace and with the `service` dimension Powertools gives them. The dashboard and alarms use these;
// a test checks every name against the services' source.
import type { ServiceName } from './functions.ts';

export interface ServiceMetricNames {
  /** Milliseconds, one value per frame / utterance / delivery. */
  latencies: readonly string[];
  counts: readonly string[];
}

export const SERVICE_METRICS: Readonly<Record<ServiceName, ServiceMetricNames>> = {
  ingest: {
    latencies: ['FrameToStreamMs', 'FrameQueueMs', 'FrameClaimMs', 'FramePutMs'],
    counts: [
      'SessionsStarted',
      'SessionsAdmitted',
      'SessionsRefusedAtCapacity',
      'FramesStored',
      'FramesDuplicate',
      'FramesOutOfOrder',
      'FramesSkipped',
    ],
  },
  transcribe: {
    latencies: ['EndOfSpeechToFinalMs', 'RecognizerOpenMs', 'FinishMs', 'RecordToRecognizerMs', 'RecognitionLagMs'],
    counts: [
      'LeasesTaken',
      'LeasesLost',
      'RecordsReplayed',
      'Partials',
      'Finals',
      'FinalsDeduplicated',
      'FramesRedelivered',
      'RecognizerFailures',
      'RecognizerOpenFailures',
      'SessionsRefusedForCapacity',
      'SessionsDegraded',
      'SessionsRestored',
      'MalformedRecords',
    ],
  },
  translate: {
    latencies: ['TranscriptToTranslateMs', 'TranslationReadyMs', 'TranslateEngineMs', 'PartialTranslateEngineMs'],
    counts: ['TranslationFailures'],
  },
  synthesize: { latencies: ['SpeechSynthesizedMs', 'SynthesisEngineMs', 'AudioStoreMs'], counts: [] },
  notify: {
    latencies: [
      'SourceCaptionDeliveredMs',
      'TranslationDeliveredMs',
      'TranslationToNotifyMs',
      'TranslationFanOutMs',
      'PartialTranslationDeliveredMs',
      'AudioDeliveredMs',
    ],
    counts: [
      'MessagesDelivered',
      'ListenersGone',
      'ListenersStillConnecting',
      'DeliveryFailures',
      'ListenerReadFailures',
      'LanguagesFannedOut',
      'DuplicateFanoutsSkipped',
      'PartialsCoalesced',
    ],
  },
};

/**
 * From the end of speech (the capture time of the utterance's last audio) to each delivery, in pipeline order:
 * the figures that make up the product's latency promise.
 */
export const END_TO_END: readonly { service: ServiceName; metric: string; label: string }[] = [
  { service: 'transcribe', metric: 'EndOfSpeechToFinalMs', label: 'final transcript' },
  { service: 'notify', metric: 'SourceCaptionDeliveredMs', label: 'source caption delivered' },
  { service: 'translate', metric: 'TranslationReadyMs', label: 'translation ready' },
  { service: 'notify', metric: 'TranslationDeliveredMs', label: 'translated caption delivered' },
  { service: 'synthesize', metric: 'SpeechSynthesizedMs', label: 'speech stored' },
  { service: 'notify', metric: 'AudioDeliveredMs', label: 'audio URL delivered' },
];

/** The end-to-end figure the p95 alarm watches. */
export const AUDIO_DELIVERED = { service: 'notify', metric: 'AudioDeliveredMs' } as const;

// The EventBridge rules whose target is an ingest handler. The CDK app and the local runtime both build the
// rules from this list, so the patterns are defined once (from the event contracts).
import {
  ListenerJoinedV1,
  ListenerLeftV1,
  patternFor,
  type RuleDefinition,
  TranscriptionLagChangedV1,
  TranscriptionUnavailableV1,
} from '@llt/events';

export const INGEST_RULES: readonly RuleDefinition[] = [
  { name: 'ingest-transcription-unavailable', pattern: patternFor(TranscriptionUnavailableV1), handler: 'events' },
  // The speaker's page warns when recognition falls behind real time.
  { name: 'ingest-transcription-lag', pattern: patternFor(TranscriptionLagChangedV1), handler: 'events' },
  // The speaker's page shows who is listening in which language.
  { name: 'ingest-listener-joined', pattern: patternFor(ListenerJoinedV1), handler: 'events' },
  { name: 'ingest-listener-left', pattern: patternFor(ListenerLeftV1), handler: 'events' },
];

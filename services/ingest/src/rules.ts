// The EventBridge rules whose target is an ingest handler. The CDK app and the local runtime both build the
// rules from this list, so the patterns are defined once (from the event contracts).
import { patternFor, type RuleDefinition, TranscriptionUnavailableV1 } from '@llt/events';

export const INGEST_RULES: readonly RuleDefinition[] = [
  { name: 'ingest-transcription-unavailable', pattern: patternFor(TranscriptionUnavailableV1), handler: 'events' },
];

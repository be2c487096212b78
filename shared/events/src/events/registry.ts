// Every event version in one list: contract tests, the local bus and the CDK app iterate over it.
import type { EventDefinition } from './define.ts';
import { GlossaryChangedV1 } from './llt.ingest@GlossaryChanged.v1.ts';
import { ListenerJoinedV1 } from './llt.ingest@ListenerJoined.v1.ts';
import { ListenerLeftV1 } from './llt.ingest@ListenerLeft.v1.ts';
import { SessionEndedV1 } from './llt.ingest@SessionEnded.v1.ts';
import { SessionStartedV1 } from './llt.ingest@SessionStarted.v1.ts';
import { SpeechSynthesizedV1 } from './llt.synthesize@SpeechSynthesized.v1.ts';
import { TranscriptFinalizedV1 } from './llt.transcribe@TranscriptFinalized.v1.ts';
import { TranscriptionLagChangedV1 } from './llt.transcribe@TranscriptionLagChanged.v1.ts';
import { TranscriptionUnavailableV1 } from './llt.transcribe@TranscriptionUnavailable.v1.ts';
import { TranscriptPartialV1 } from './llt.transcribe@TranscriptPartial.v1.ts';
import { TranscriptStabilizedV1 } from './llt.transcribe@TranscriptStabilized.v1.ts';
import { TranslationPartialV1 } from './llt.translate@TranslationPartial.v1.ts';
import { TranslationReadyV1 } from './llt.translate@TranslationReady.v1.ts';

export const ALL_EVENTS: readonly EventDefinition[] = [
  SessionStartedV1,
  SessionEndedV1,
  ListenerJoinedV1,
  ListenerLeftV1,
  GlossaryChangedV1,
  TranscriptPartialV1,
  TranscriptFinalizedV1,
  TranscriptStabilizedV1,
  TranscriptionUnavailableV1,
  TranscriptionLagChangedV1,
  TranslationPartialV1,
  TranslationReadyV1,
  SpeechSynthesizedV1,
];

/** Name of the event bus on AWS and locally. */
export const EVENT_BUS_NAME = 'llt-bus';

// Contracts between services and with clients: events, the audio wire formats, client messages, languages.

export * from './capacity.ts';
export * from './events/common.ts';
export * from './events/define.ts';
export * from './events/llt.ingest@GlossaryChanged.v1.ts';
export * from './events/llt.ingest@ListenerJoined.v1.ts';
export * from './events/llt.ingest@ListenerLeft.v1.ts';
export * from './events/llt.ingest@SessionEnded.v1.ts';
export * from './events/llt.ingest@SessionStarted.v1.ts';
export * from './events/llt.synthesize@SpeechSynthesized.v1.ts';
export * from './events/llt.transcribe@TranscriptFinalized.v1.ts';
export * from './events/llt.transcribe@TranscriptionLagChanged.v1.ts';
export * from './events/llt.transcribe@TranscriptionUnavailable.v1.ts';
export * from './events/llt.transcribe@TranscriptPartial.v1.ts';
export * from './events/llt.transcribe@TranscriptStabilized.v1.ts';
export * from './events/llt.translate@TranslationPartial.v1.ts';
export * from './events/llt.translate@TranslationReady.v1.ts';
export * from './events/registry.ts';
export * from './glossary.ts';
export * from './languages.ts';
export * from './protocol/audio-frame.ts';
export * from './protocol/audio-record.ts';
export * from './protocol/base64.ts';
export * from './protocol/http.ts';
export * from './protocol/messages.ts';
export * from './workflow.ts';

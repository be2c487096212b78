// What a session may run on its audio before endpointing and recognition: noise suppression, and an opinion on
// which 10 ms blocks hold voice. Both keep state per session (one per speaker and channel), so a session makes
// its own from a factory.

/**
 * What tells voice from noise for endpointing: the endpointer's level against its noise floor alone ('energy'), or
 * with the WebRTC VAD ('webrtc') or RNNoise's voice probability ('rnnoise') agreeing too.
 */
export type VoiceDetection = 'energy' | 'webrtc' | 'rnnoise';

/** Cleans 16 kHz mono audio (noise suppression); stateful, fed in order. */
export interface AudioFilter {
  /** Returns as many samples as it was given (a fixed short delay behind the input). */
  process(samples: Int16Array): Int16Array;
}

/** Whether a 10 ms block (160 samples at 16 kHz) holds voice; stateful, fed every block in order. */
export interface VoiceDetector {
  isVoice(block: Int16Array): boolean;
}

export interface AudioFrontEnd {
  filter?: AudioFilter;
  detector?: VoiceDetector;
}

/** Makes a session's front end (called once per session). */
export type AudioFrontEndFactory = () => AudioFrontEnd;

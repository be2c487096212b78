// Every error the command line throws or reports: the protocol client's, and its own about files and usage.
export * from '@llt/client/errors';

/** The input is not a WAV file this reader understands (not RIFF/WAVE, missing chunks, unsupported encoding). */
export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

/** The WAV file could not be read from disk. */
export class WavReadError extends Error {
  override name = 'WavReadError';
}

/** The command line was wrong; the message says what is expected. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The glossary file could not be read, or is not a valid glossary; the message lists its problems by line. */
export class GlossaryFileError extends Error {
  override name = 'GlossaryFileError';
}

// The `llt` command line (speak a WAV file into a session, listen to one), as a function of argv and I/O so it
// can be tested in-process; main.ts binds it to the real process.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { frameSamplesFor } from '@llt/client';
import type { ServerMessage } from '@llt/events';
import {
  ApiError,
  GlossaryFileError,
  HandshakeRefusedError,
  ReconnectFailedError,
  ServerError,
  ServerUnreachableError,
  UsageError,
  WavFormatError,
  WavReadError,
} from './errors.ts';
import { readGlossaryFile } from './glossary.ts';
import { createSession, DEFAULT_SERVER, offeredTargets } from './http.ts';
import { ListenerClient } from './listener.ts';
import { DEFAULT_LOGIN_PORT, login, speakerTokens } from './login.ts';
import { SpeakerClient } from './speaker.ts';
import { readWav, toMono16k } from './wav.ts';

export interface CliIo {
  /** Writes one line (no trailing newline) to standard output. */
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Aborts on Ctrl-C: speak stops streaming and still ends the session; listen disconnects. */
  interrupt?: AbortSignal;
  now?: () => number;
  /** Opens the sign-in page for `llt login` (default: the desktop's browser). */
  openBrowser?: (url: string) => void | Promise<void>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export const HELP = `llt — command-line speaker and listener for low-latency-translate

Usage:
  llt speak FILE.wav [options]   Create a session (or join one) and stream a WAV file into it as the speaker
  llt listen --code CODE --lang LANG [--server URL]
                                 Print every message a listener receives, one JSON line each
  llt login [--server URL] [--port N]
                                 Sign in as a speaker in the browser, where the server asks speakers to sign in
                                 (its user pool); llt speak then uses and renews the tokens (kept in
                                 $LLT_CONFIG_DIR, else ~/.config/llt). Redirect: http://localhost:N/callback
                                 (default N: ${DEFAULT_LOGIN_PORT})
  llt help                       Show this help

Speak options:
  --server URL       Server base URL (default: $LLT_SERVER or ${DEFAULT_SERVER})
  --source LANG      Spoken language (default: en)
  --targets LIST     Comma-separated target languages (default: every one the server offers)
  --session ID       Speak into an existing session instead of creating one (needs --token)
  --token TOKEN      Speaker token of that session
  --glossary FILE    Names and terms for the new session (CSV: a header "term,spoken,<language>…", then one
                     entry per row: term, how it sounds, its form in each language), checked before anything else
  --frame-ms N       Audio frame length, 20-100 ms (default: 100)
  --lead-silence-ms N  Silence streamed before the file (default: 0)
  --fast             Stream as fast as the connection allows instead of at real time
  --no-end           Leave the session open when the file is done

Output: JSON lines on stdout — first {"event":"session",…}, then every server message with "receivedAt"
(epoch ms), last {"event":"done",…} with counters. Errors go to stderr and the exit status is non-zero.
Any WAV (PCM 8/16/24/32-bit or float, any rate and channel count) is converted to 16 kHz mono.`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'speak':
        return await speak(rest, io);
      case 'listen':
        return await listen(rest, io);
      case 'login':
        return await signIn(rest, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout(HELP);
        return EXIT_OK;
      case undefined:
        io.stderr(HELP);
        return EXIT_USAGE;
      default:
        throw new UsageError(`Unknown command "${command}"; expected speak, listen, login or help`);
    }
  } catch (error) {
    const where = command === 'speak' || command === 'listen' || command === 'login' ? `llt ${command}` : 'llt';
    io.stderr(`${where}: ${describeError(error)}`);
    if (error instanceof UsageError) {
      io.stderr("Run 'llt help' for usage.");
      return EXIT_USAGE;
    }
    return EXIT_FAILURE;
  }
}

function parse<const T extends ParseArgsConfig>(config: T) {
  try {
    return parseArgs<T>(config);
  } catch (cause) {
    throw new UsageError((cause as Error).message, { cause });
  }
}

async function speak(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse({
    args,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      source: { type: 'string', default: 'en' },
      targets: { type: 'string' },
      session: { type: 'string' },
      token: { type: 'string' },
      glossary: { type: 'string' },
      'frame-ms': { type: 'string', default: '100' },
      'lead-silence-ms': { type: 'string', default: '0' },
      fast: { type: 'boolean', default: false },
      'no-end': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('Give exactly one WAV file: llt speak FILE.wav');
  const file = positionals[0]!;
  if ((values.session === undefined) !== (values.token === undefined)) {
    throw new UsageError('--session and --token go together (to speak into an existing session)');
  }
  if (values.glossary !== undefined && values.session !== undefined) {
    throw new UsageError('--glossary goes with a new session (it is sent when the session is created), not --session');
  }
  const frameMs = Number(values['frame-ms']);
  try {
    frameSamplesFor(frameMs);
  } catch (cause) {
    throw new UsageError(`--frame-ms: ${(cause as Error).message}`, { cause });
  }
  const leadSilenceMs = Number(values['lead-silence-ms']);
  if (!Number.isFinite(leadSilenceMs) || leadSilenceMs < 0) {
    throw new UsageError('--lead-silence-ms must be a non-negative number');
  }
  const server = serverOption(values.server, io);
  const targets =
    values.targets === undefined
      ? undefined
      : values.targets
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
  if (targets?.length === 0) throw new UsageError('--targets needs at least one language, e.g. --targets es,ca');

  // Read the files first: a bad file should not leave an unused session behind.
  const glossary = values.glossary === undefined ? undefined : readGlossaryFile(values.glossary);
  const samples = toMono16k(readWav(file));
  if (samples.length === 0) throw new WavFormatError(`${file} holds no audio`);

  // Where speakers sign in, the token `llt login` stored (renewed as needed), for creating and connecting.
  const speakerJwt = await speakerTokens(server, io.env);
  let sessionId: string;
  let token: string;
  if (values.session !== undefined && values.token !== undefined) {
    sessionId = values.session;
    token = values.token;
    io.stdout(JSON.stringify({ event: 'session', sessionId, speakerToken: token }));
  } else {
    const created = await createSession(
      server,
      {
        sourceLanguage: values.source ?? 'en',
        targetLanguages: targets ?? (await offeredTargets(server)),
        ...(glossary ? { glossary } : {}),
      },
      { accessToken: speakerJwt?.() },
    );
    sessionId = created.sessionId;
    token = created.speakerToken;
    io.stdout(
      JSON.stringify({
        event: 'session',
        sessionId,
        joinCode: created.joinCode,
        speakerToken: token,
        expiresAt: created.expiresAt,
        ...(glossary ? { glossaryEntries: glossary.length } : {}),
      }),
    );
  }

  const fatalMessages: ServerMessage[] = [];
  const client = new SpeakerClient({
    server,
    sessionId,
    token,
    frameMs,
    ...(speakerJwt ? { speakerJwt } : {}),
    now: io.now,
    onMessage: (message, receivedAt) => {
      io.stdout(JSON.stringify({ ...message, receivedAt }));
      if (message.type === 'error' && message.retryable !== true) fatalMessages.push(message);
    },
    onError: (error, fatal) => {
      if (!fatal) io.stderr(`llt speak: warning: ${describeError(error)}`);
    },
  });
  const started = (io.now ?? Date.now)();
  try {
    await client.connect();
    const stream = { leadSilenceMs, signal: io.interrupt };
    const result = values.fast
      ? await client.streamFast(samples, stream)
      : await client.streamRealtime(samples, stream);
    if (!client.ended) {
      if (values['no-end']) {
        await client.drain();
      } else {
        await client.end();
      }
    }
    io.stdout(
      JSON.stringify({
        event: 'done',
        sessionId,
        frames: result.frames,
        ...client.stats,
        ended: client.ended,
        durationMs: Math.round((io.now ?? Date.now)() - started),
      }),
    );
  } finally {
    // Awaited so that, with --no-end, the server has read the last frames before the process exits.
    await client.close();
  }
  if (io.interrupt?.aborted) return EXIT_INTERRUPTED;
  const first = fatalMessages[0];
  if (first?.type === 'error') {
    io.stderr(
      `llt speak: the server reported ${fatalMessages.length} error(s); first: ${first.code}: ${first.message}`,
    );
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}

async function listen(args: string[], io: CliIo): Promise<number> {
  const { values } = parse({
    args,
    options: {
      server: { type: 'string' },
      code: { type: 'string' },
      lang: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (!values.code) throw new UsageError('--code is required: the join code shown to the audience');
  if (!values.lang) throw new UsageError('--lang is required, e.g. --lang es');
  const server = serverOption(values.server, io);
  const client = new ListenerClient({
    server,
    code: values.code,
    lang: values.lang,
    now: io.now,
    onMessage: (message, receivedAt) => io.stdout(JSON.stringify({ ...message, receivedAt })),
    onError: (error, fatal) => {
      if (!fatal) io.stderr(`llt listen: warning: ${describeError(error)}`);
    },
  });
  const onInterrupt = () => client.close();
  io.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  try {
    await client.connect();
    const outcome = await client.done;
    if (outcome === 'closed' && io.interrupt?.aborted) return EXIT_INTERRUPTED;
    return EXIT_OK;
  } catch (error) {
    if (io.interrupt?.aborted) return EXIT_INTERRUPTED;
    throw error;
  } finally {
    io.interrupt?.removeEventListener('abort', onInterrupt);
    await client.close();
  }
}

async function signIn(args: string[], io: CliIo): Promise<number> {
  const { values } = parse({
    args,
    options: {
      server: { type: 'string' },
      port: { type: 'string', default: String(DEFAULT_LOGIN_PORT) },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new UsageError('--port must be a TCP port');
  const server = serverOption(values.server, io);
  const { username, file } = await login({
    server,
    env: io.env,
    port,
    onUrl: (url) => io.stderr(`llt login: sign in in your browser; if none opened, visit ${url}`),
    ...(io.openBrowser ? { openBrowser: io.openBrowser } : {}),
  });
  io.stdout(JSON.stringify({ event: 'signed-in', username, server, tokens: file }));
  return EXIT_OK;
}

function serverOption(flag: string | undefined, io: CliIo): string {
  const server = flag ?? io.env.LLT_SERVER ?? DEFAULT_SERVER;
  if (!/^(https?|wss?):\/\//.test(server)) {
    throw new UsageError(`Server "${server}" must be an http(s):// or ws(s):// URL`);
  }
  return server;
}

/** One line saying what went wrong, in the server's words where it gave any. */
export function describeError(error: unknown): string {
  if (error instanceof HandshakeRefusedError) {
    return `the server refused the connection (HTTP ${error.status}, ${error.code}): ${error.message}`;
  }
  if (error instanceof ApiError) {
    return error.status > 0
      ? `the server answered HTTP ${error.status} (${error.code}): ${error.message}`
      : error.message;
  }
  if (error instanceof ServerError) return `the server reported ${error.code}: ${error.message}`;
  if (error instanceof ServerUnreachableError) {
    return `${error.message} (is the server running? set --server or LLT_SERVER)`;
  }
  if (
    error instanceof ReconnectFailedError ||
    error instanceof WavFormatError ||
    error instanceof WavReadError ||
    error instanceof GlossaryFileError
  ) {
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

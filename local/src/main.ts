// `npm start`: runs the whole system locally until interrupted.
import { parseLanguages } from '@llt/events';
import { OPTIONAL_SERVICES, type OptionalService, startLocalSystem } from './runtime.ts';

const port = Number(process.env.PORT ?? process.env.LLT_PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';

// LLT_SERVICES=ingest runs ingest alone (the ingest benchmark); by default everything runs.
const services = (process.env.LLT_SERVICES?.split(',') ?? OPTIONAL_SERVICES).filter((s): s is OptionalService =>
  (OPTIONAL_SERVICES as readonly string[]).includes(s),
);
const system = await startLocalSystem({
  port,
  host,
  services,
  // Every function initialized before the system is ready: no Init competes with a first sentence's recognition.
  warm: 'all',
  ...(process.env.LLT_DATA_DIR ? { dataDir: process.env.LLT_DATA_DIR } : {}),
});
const offered = parseLanguages(system.env.LLT_LANGUAGES);
const captionsOnly = offered.targets.filter((t) => !offered.spoken.includes(t));
const languages = offered.targets.join(',') || '(none: install Apertium pairs)';
console.log(`low-latency-translate is running
  speaker app   ${system.url.replace('127.0.0.1', 'localhost')}/speaker/   (on this machine: browsers allow the microphone on localhost or https only)
  listener app  ${system.publicUrl}/           (phones on the same network: scan the QR code the speaker shows)
  HTTP API      ${system.url}/api   (POST /api/sessions, GET /api/join/{code}, GET /api/languages, GET|PUT /api/sessions/{id}/glossary)
  WebSocket API ${system.wsUrl}
  languages     ${offered.sources.join(',')} → ${languages}${captionsOnly.length ? ` (captions only: ${captionsOnly.join(',')})` : ''}
  speak a file  npm run llt -- speak path/to/file.wav --targets ${languages.split(',')[0] ?? 'es'}${
    system.userPool
      ? `\n  sign-in       speakers sign in (LLT_SPEAKER_AUTH=cognito) with the local user pool ${system.userPool.issuer}\n                users from LLT_LOCAL_USERS (default: speaker / speaker)`
      : ''
  }
Press Ctrl+C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log('\nstopping…');
    system.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

// The whole system on one machine: emulators, the event bus, the WebSocket and HTTP gateway, and the real
// service handlers wired to them the way AWS wires them. Used by `npm start`, the tests and the benchmarks.
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { EVENT_BUS_NAME, KEEPALIVE_ACTION, serializeLanguages } from '@llt/events';
import { SPEAKER_HTTP_ROUTE_KEYS } from '@llt/ingest/routes';
import { RESOURCE_ENV, s3Client, stats } from '@llt/platform';
import { ALL_FUNCTIONS, FUNCTIONS, ruleTarget } from '@llt/platform/functions';
import { TRANSLATION_FANOUT } from '@llt/workflows';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  httpApiJwtAuthorizer,
  type LocalUserPool,
  localUsersFromEnv,
  type SpeakerAuthScheme,
  speakerAuthFromEnv,
  startLocalUserPool,
} from './auth/index.ts';
import { LocalEventBus } from './bus/event-bus.ts';
import { type EventBridgeServer, startEventBridgeServer } from './bus/eventbridge-server.ts';
import { type Emulators, emulatorEnv, startEmulators } from './emulators.ts';
import { localLanguages } from './engines.ts';
import { BodyTooLargeError, readBody, toHttpApiEvent, writeHttpApiResult } from './gateway/http-api.ts';
import { proxyS3, S3_PROXY_PREFIX } from './gateway/s3-proxy.ts';
import { type StaticApp, serveStatic } from './gateway/static-apps.ts';
import { type GatewayLimits, WebSocketGateway } from './gateway/websocket-gateway.ts';
import { type LambdaHandler, lambdaContext } from './lambda/context.ts';
import { LambdaService } from './lambda/service.ts';
import { describeSettings, type LambdaSettings, lambdaSettingsFromEnv } from './lambda/settings.ts';
import { startAudioSweeper } from './s3/audio-sweeper.ts';
import { startTranslationWorkflow } from './stepfunctions/translation-workflow.ts';
import { type StreamWorkers, startStreamWorkers } from './transcribe/stream-workers.ts';

export interface LocalSystemOptions {
  /** Interface to listen on; 0.0.0.0 lets phones on the same network join. */
  host?: string;
  /** Public port for the apps, the HTTP API and the WebSocket API; 0 picks a free one. */
  port?: number;
  /** Where stored objects live across restarts. */
  dataDir?: string;
  /** Narrows the targets offered to these (default: every target the local engines reach). */
  targetLanguages?: string[];
  region?: string;
  /** Services to run beyond ingest (default: all of them); the ingest benchmark runs ingest alone. */
  services?: readonly OptionalService[];
  /** Receives errors the runtime caught (handler crashes, failed deliveries); defaults to stderr. */
  onError?: (error: unknown, where: string) => void;
  /** Shorter WebSocket limits for tests (idle timeout, connection duration, …); the defaults are API Gateway's. */
  gatewayLimits?: Partial<GatewayLimits>;
  /**
   * How invocations reach the functions' execution environments (policy, environments, recycling, seed); what
   * is not given comes from LLT_LAMBDA_* and then the `sticky` defaults.
   */
  lambda?: Partial<LambdaSettings>;
  /**
   * Which functions get an environment initialized before the system says it is ready: `workflow` (the default:
   * the workflow's functions, whose engines take seconds to start) or `all` (`npm start`: every function). On AWS
   * an Init runs on a machine of its own; here it takes the same two cores the recognisers need, and a handful of
   * them at once during a session's first sentence put its recognition a second behind.
   */
  warm?: 'workflow' | 'all';
  /**
   * How speakers sign in (default: LLT_SPEAKER_AUTH, else `session-token`). `cognito` starts the local user pool
   * (`users`, default LLT_LOCAL_USERS) and protects the speaker's routes (`POST /api/sessions`, the glossary) with
   * the HTTP API's JWT authorizer.
   */
  speakerAuth?: SpeakerAuthScheme;
  users?: readonly { username: string; password: string }[];
  /** Lifetime of the local user pool's ID and access tokens (default one hour, as Cognito's). */
  tokenTtlS?: number;
}

export interface LocalSystem {
  /** Base URL of the apps and the HTTP API, e.g. http://127.0.0.1:8080 */
  url: string;
  /** The same as other devices on the network reach it (the machine's address when listening on 0.0.0.0). */
  publicUrl: string;
  /** The WebSocket API, e.g. ws://127.0.0.1:8080/ws */
  wsUrl: string;
  /** The environment the service handlers were configured from. */
  env: Record<string, string>;
  bus: LocalEventBus;
  gateway: WebSocketGateway;
  /** Runs the functions, each in execution environments of its own. */
  lambda: LambdaService;
  /** Transcription's stream workers (none when transcription is not among the services). */
  transcribeWorkers: StreamWorkers | undefined;
  /** The local user pool speakers sign in with (`cognito` scheme only). */
  userPool: LocalUserPool | undefined;
  stop(): Promise<void>;
}

export const OPTIONAL_SERVICES = ['transcribe', 'translation'] as const;

/**
 * On AWS every function and every transcription task has CPU of its own; here they share the machine's cores, and
 * recognition that falls behind real time delays everything after it. So the functions between the speaker's audio
 * and the recogniser (the frames' route and its authorizer) keep the process's priority, and every other function
 * yields the cores to them and to transcription when the machine is busy (Linux nice 4 on its environments'
 * threads; the engines' processes they start inherit it). Measured with `npm run bench:load -- --scenario many
 * --sessions 8` (2 cores, 2 sessions of 50 listeners admitted): without it the first sentences of sessions that start
 * together were 1.0–3.1 s behind real time at their first final (6 runs), with it 0.55–0.87 s; the listeners got
 * their captions a little later under that load (translated caption p50 0.36 s after the final instead of 0.18 s).
 * Speech synthesis runs at nice 10 on top (LLT_TTS_NICE).
 */
const AUDIO_PATH_FUNCTIONS = new Set<string>([FUNCTIONS.ingestWebSocket.name, FUNCTIONS.ingestAuthorizer.name]);
const OFF_AUDIO_PATH_NICE = 4;
export type OptionalService = (typeof OPTIONAL_SERVICES)[number];
const MAX_HTTP_BODY = 64 * 1024;
/** How late the main event loop runs timers: the first sign of an overloaded process. */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

/** Process-wide settings the Powertools utilities and the AWS SDK read when their modules load. */
function quietDefaults(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (process.env.LLT_METRICS === '1') process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  else process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.LOG_LEVEL ??= 'WARN';
}

export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  quietDefaults();
  const region = options.region ?? 'us-east-1';
  const dataDir = options.dataDir ?? '.llt';
  mkdirSync(dataDir, { recursive: true });
  const onError = options.onError ?? ((error: unknown, where: string) => console.error(`[local] ${where}:`, error));

  const stoppers: (() => Promise<unknown>)[] = [];
  try {
    const emulators: Emulators = await startEmulators({ dataDir, region });
    stoppers.push(() => emulators.stop());

    // The public port listens first: its address goes into the URLs handed out (audio links), and until the
    // handlers are ready it answers 503.
    let routes: HttpRoutes | undefined;
    const server = createServer((req, res) => {
      if (!routes) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ type: 'error', code: 'internal_error', message: 'Starting, try again shortly' }));
        return;
      }
      void serveHttp(req, res, routes, onError);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', resolve);
    });
    stoppers.unshift(() => closeServer(server));
    const { port } = server.address() as AddressInfo;
    const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
    // What other devices use: the first network address when listening on every interface.
    const publicHost = options.host === '0.0.0.0' ? (lanAddress() ?? host) : host;
    const publicUrl = `http://${publicHost}:${port}`;

    // Under `cognito`, a local user pool stands in for Cognito: its issuer, keys and sign-in form.
    const speakerAuth = options.speakerAuth ?? speakerAuthFromEnv(process.env);
    let userPool: LocalUserPool | undefined;
    if (speakerAuth === 'cognito') {
      const speakerApps = [...new Set([host, 'localhost', publicHost])].map((h) => `http://${h}:${port}/speaker/`);
      userPool = await startLocalUserPool({
        users: options.users ?? localUsersFromEnv(process.env),
        ...(options.tokenTtlS ? { tokenTtlS: options.tokenTtlS } : {}),
        // The speaker app served here, vite's development server, and `llt login`'s loopback redirect.
        callbackUrls: () => [...speakerApps, 'http://localhost:5173/speaker/', 'http://localhost:8765/callback'],
      });
      stoppers.push((userPool as LocalUserPool).stop);
    }

    const bus = new LocalEventBus({
      name: EVENT_BUS_NAME,
      region,
      onTargetError: (error) => onError(error, 'event bus target'),
    });
    if (process.env.LLT_TRACE_EVENTS === '1') {
      // Every event on the bus as one JSON line: follow a session from the terminal.
      bus.subscribe((event) =>
        console.log(
          redactPresignedUrls(
            JSON.stringify({ bus: event['detail-type'], source: event.source, detail: event.detail }),
          ),
        ),
      );
    }
    const events: EventBridgeServer = await startEventBridgeServer(bus);
    stoppers.push(() => events.stop());

    // The same routes and authorizer identity source the CDK app deploys.
    const { WEBSOCKET_ACTION_ROUTES, CONNECT_IDENTITY_SOURCE } = await import('@llt/ingest/routes');

    let lambda: LambdaService | undefined;
    // The integrations call the functions by name; the Lambda service exists once the environment is known.
    const call =
      <E, R>(functionName: string) =>
      (event: E, _context?: unknown): Promise<R> =>
        (lambda as LambdaService).invoke<R>(functionName, event);
    const gateway = new WebSocketGateway({
      routes: WEBSOCKET_ACTION_ROUTES,
      // The platform stack's mock route: API Gateway answers it, no function runs.
      mockRoutes: [KEEPALIVE_ACTION],
      functionName: FUNCTIONS.ingestWebSocket.name,
      // One function behind every route, as the CDK app integrates it.
      handler: call(FUNCTIONS.ingestWebSocket.name),
      authorizer: {
        functionName: FUNCTIONS.ingestAuthorizer.name,
        identitySource: CONNECT_IDENTITY_SOURCE,
        handler: call(FUNCTIONS.ingestAuthorizer.name),
      },
      region,
      ...(options.gatewayLimits ? { limits: options.gatewayLimits } : {}),
      onError,
    });
    const managementEndpoint = await gateway.listenManagement();
    // Clients go first; the Management API stays until the functions are stopped (their last posts get 410).
    const closeGateway = once(() => gateway.close({ keepManagement: true }));
    stoppers.unshift(closeGateway);
    stoppers.push(() => gateway.closeManagement());

    const env: Record<string, string> = {
      // Tuning the user set for the services (LLT_ASR_HANGOVER_MS, LLT_ASR_SEARCH, …) passes through.
      ...Object.fromEntries(
        Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('LLT_') && !!e[1]),
      ),
      ...emulatorEnv(region, emulators, events.endpoint),
      [RESOURCE_ENV.websocketManagementEndpoint]: managementEndpoint,
      LLT_LANGUAGES: serializeLanguages(localLanguages(options.targetLanguages)),
      LLT_AUDIO_PUBLIC_ENDPOINT: `${publicUrl}${S3_PROXY_PREFIX.slice(0, -1)}`,
      // session-token: speakers pass the authorizer and $connect checks their session's speaker token alone;
      // cognito: a token of the local user pool as well, as on AWS.
      LLT_SPEAKER_AUTH: speakerAuth,
      ...(userPool
        ? {
            LLT_COGNITO_USER_POOL_ID: userPool.userPoolId,
            LLT_COGNITO_CLIENT_ID: userPool.clientId,
            LLT_COGNITO_ISSUER: userPool.issuer,
          }
        : {}),
    };
    const services = new Set(options.services ?? OPTIONAL_SERVICES);
    // Without transcription no recogniser reports a capacity to admit sessions against: admission is off (a
    // system run for its other parts, as some tests do), unless the environment says otherwise.
    if (!services.has('transcribe')) env.LLT_ADMISSION ??= 'off';
    const settings = lambdaSettingsFromEnv(process.env, options.lambda);
    // A random run is replayed with the same settings: say which.
    if (settings.policy !== 'sticky') console.log(`[local] Lambda execution model: ${describeSettings(settings)}`);
    lambda = new LambdaService({
      functions: ALL_FUNCTIONS,
      env,
      settings,
      nice: (spec) => (AUDIO_PATH_FUNCTIONS.has(spec.name) ? 0 : OFF_AUDIO_PATH_NICE),
      onError: (error, where) => onError(error, `lambda ${where}`),
    });
    const lambdaService = lambda;
    // After transcription's last finals and the fan-outs they start (stoppers before this one), every environment
    // is discarded.
    stoppers.unshift(async () => {
      await Promise.race([bus.drain(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      await lambdaService.stop();
    });
    const workflowFunctions = new Set(Object.values(TRANSLATION_FANOUT.functions).map((f) => f.name));
    // The workflow's functions, whose modules export `warm` (engines to start: Apertium pipelines, voices, the
    // encoder; notify's clients), get one environment each, initialized before the system says it is ready, as
    // provisioned concurrency would. Every other environment starts on its function's first invocation (a cold
    // start), so a system that never calls a function pays nothing for it.
    const warmed =
      options.warm === 'all'
        ? lambda.functionNames.filter((name) => services.has('translation') || !workflowFunctions.has(name))
        : services.has('translation')
          ? [...workflowFunctions]
          : [];
    const warming = lambda.warm(warmed);
    // Awaited below; until then a failure must not count as unhandled.
    warming.catch(() => undefined);

    // EventBridge rules whose targets are service functions, from the same definitions the CDK app uses.
    const { INGEST_RULES } = await import('@llt/ingest/rules');
    for (const rule of INGEST_RULES) {
      bus.addRule(rule.name, rule.pattern, call(ruleTarget('ingest', rule.handler).name));
    }
    const { NOTIFY_RULES } = await import('@llt/notify/rules');
    for (const rule of NOTIFY_RULES) {
      bus.addRule(rule.name, rule.pattern, call(ruleTarget('notify', rule.handler).name));
    }
    // Session glossaries as the recognition engine's vocabularies: with PocketSphinx there are none to build, but the
    // function receives every GlossaryChanged and SessionEnded as it does on AWS.
    const { TRANSCRIBE_RULES } = await import('@llt/transcribe/rules');
    for (const rule of TRANSCRIBE_RULES) {
      bus.addRule(rule.name, rule.pattern, call(ruleTarget('transcribe', rule.handler).name));
    }

    let transcribeWorkers: StreamWorkers | undefined;
    if (services.has('transcribe')) {
      // Transcription's stream workers (ECS tasks on AWS), each on a thread of its own, sharing the audio stream's
      // shards through the lease table; a kept data directory has their checkpoints, so a restart reads on.
      const workers = await startStreamWorkers({ env, onError });
      transcribeWorkers = workers;
      stoppers.unshift(async () => {
        // Utterances in progress end as final transcripts (SIGTERM to a task); the bus then runs their fan-out
        // before the functions stop.
        await workers.stop();
        await Promise.race([bus.drain(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      });
    }

    if (services.has('translation')) {
      startTranslationWorkflow({ lambda, region, bus, onError });
      stoppers.unshift(startAudioSweeper({ s3: s3Client({ region, s3: emulators.endpoints.s3 }), onError }));
    }

    // The HTTP API's route to notify (its handler module says which paths it serves).
    const { CAPTIONS_ROUTE } = await import('@llt/notify/handlers/http');
    await warming;
    const appsDir = fileURLToPath(new URL('../../frontends/', import.meta.url));
    routes = {
      ingest: call(FUNCTIONS.ingestHttp.name),
      // The JWT authorizer the CDK app puts on session creation, on the local user pool.
      authorize: userPool
        ? httpApiJwtAuthorizer({
            issuer: userPool.issuer,
            audience: [userPool.clientId],
            routes: SPEAKER_HTTP_ROUTE_KEYS,
          })
        : undefined,
      appAuth: userPool
        ? {
            type: 'cognito',
            authority: userPool.issuer,
            clientId: userPool.clientId,
            userPoolId: userPool.userPoolId,
            scope: 'openid',
          }
        : { type: 'session-token' },
      notify: call(FUNCTIONS.notifyHttp.name),
      notifyRoute: CAPTIONS_ROUTE,
      env,
      bus,
      lambda,
      s3Endpoint: emulators.endpoints.s3,
      publicUrl,
      transcription: () => (transcribeWorkers?.workers ?? []).map((w) => ({ workerId: w.workerId, ...w.capacity })),
      apps: [
        { prefix: '/speaker/', dir: `${appsDir}speaker/dist`, name: 'speaker' },
        { prefix: '/', dir: `${appsDir}listener/dist`, name: 'listener' },
      ],
    };
    server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://local').pathname !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      gateway.upgrade(req, socket, head).catch((error) => {
        onError(error, 'upgrade');
        socket.destroy();
      });
    });

    return {
      url: `http://${host}:${port}`,
      publicUrl,
      wsUrl: `ws://${host}:${port}/ws`,
      env,
      bus,
      gateway,
      lambda,
      transcribeWorkers,
      userPool,
      async stop() {
        // Clients first (no new audio, told to reconnect), then the audio already stored is transcribed and
        // fanned out, then the engines, emulators and ports stop. Sessions live on in the data directory.
        await closeGateway();
        for (const stop of stoppers.splice(0)) await stop();
      },
    };
  } catch (error) {
    for (const stop of stoppers.splice(0)) await stop().catch(() => undefined);
    throw error;
  }
}

type HttpHandler = LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/** Where the public port sends each request: the HTTP API's functions (as API Gateway routes them), the audio
 * bucket, the web apps. */
interface HttpRoutes {
  ingest: HttpHandler;
  /** The HTTP API's JWT authorizer (`cognito` scheme). */
  authorize: ReturnType<typeof httpApiJwtAuthorizer> | undefined;
  /** How the apps sign speakers in, for /config.json. */
  appAuth: Record<string, string>;
  notify: HttpHandler;
  notifyRoute: RegExp;
  env: Record<string, string>;
  bus: LocalEventBus;
  lambda: LambdaService;
  s3Endpoint: string;
  apps: readonly StaticApp[];
  publicUrl: string;
  /** The transcription workers' capacity reports and per-session lag. */
  transcription: () => unknown[];
}

async function serveHttp(
  req: IncomingMessage,
  res: ServerResponse,
  {
    ingest: api,
    authorize,
    appAuth,
    notify,
    notifyRoute,
    env,
    bus,
    lambda,
    s3Endpoint,
    apps,
    publicUrl,
    transcription,
  }: HttpRoutes,
  onError: (error: unknown, where: string) => void,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  try {
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (path.startsWith('/internal/')) {
      // Operators' and benchmarks' view of the process; only from this machine.
      if (!isLoopback(req.socket.remoteAddress)) {
        res.writeHead(403).end();
        return;
      }
    }
    if (path === '/internal/env') {
      // Endpoints and resource names only: the local system holds no secrets.
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(env));
      return;
    }
    if (path === '/internal/events') {
      // Every event put on the bus from now on, as NDJSON, until the client disconnects.
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      res.flushHeaders();
      const unsubscribe = bus.subscribe((event) => res.write(`${JSON.stringify(event)}\n`));
      req.on('close', unsubscribe);
      return;
    }
    if (path === '/internal/stats') {
      const usage = process.resourceUsage();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...stats.snapshot(),
          // What each transcription worker says it can hold, and every live session's lag behind real time.
          transcription: transcription(),
          // How invocations were routed, and each function's execution environments alive now.
          lambda: {
            ...lambda.settings,
            environments: Object.fromEntries(lambda.functionNames.map((name) => [name, lambda.environments(name)])),
          },
          process: {
            rssBytes: process.memoryUsage().rss,
            maxRssBytes: usage.maxRSS * 1024,
            cpuUserMs: usage.userCPUTime / 1000,
            cpuSystemMs: usage.systemCPUTime / 1000,
            uptimeMs: process.uptime() * 1000,
          },
          eventLoopDelayMs: {
            p50: loopDelay.percentile(50) / 1e6,
            p99: loopDelay.percentile(99) / 1e6,
            max: loopDelay.max / 1e6,
          },
        }),
      );
      return;
    }
    if (path.startsWith('/api/')) {
      const body = await readBody(req, MAX_HTTP_BODY);
      let event = toHttpApiEvent(req, body);
      if (authorize) {
        const outcome = await authorize(event);
        if (!outcome.allowed) {
          writeHttpApiResult(res, outcome.response);
          return;
        }
        event = outcome.event;
      }
      // The HTTP API's routes: caption history belongs to notify, everything else to ingest.
      if (notifyRoute.test(path))
        writeHttpApiResult(res, await notify(event, lambdaContext(FUNCTIONS.notifyHttp.name)));
      else writeHttpApiResult(res, await api(event, lambdaContext(FUNCTIONS.ingestHttp.name)));
      return;
    }
    if (path === '/config.json') {
      // What the apps cannot know from their own URL: the address other devices reach this system at (the
      // speaker's page runs on localhost, where the browser allows the microphone; its QR code must not).
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
      // And how speakers sign in.
      res.end(JSON.stringify({ listenerUrl: `${publicUrl}/`, speakerAuth: appAuth }));
      return;
    }
    if (path.startsWith(S3_PROXY_PREFIX)) {
      proxyS3(s3Endpoint, req, res);
      return;
    }
    if (await serveStatic(apps, req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', code: 'invalid_request', message: `Nothing at ${path}` }));
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ type: 'error', code: 'message_too_large', message: error.message }));
      return;
    }
    onError(error, `HTTP ${req.method} ${path}`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', code: 'internal_error', message: 'Internal server error' }));
  }
}

/**
 * A presigned URL is a credential for its lifetime (SpeechSynthesized carries one): in logs, keep the object's
 * address and drop the query that grants access.
 */
export function redactPresignedUrls(text: string): string {
  return text.replace(/(https?:\/\/[^"\s?]+)\?[^"\s]*X-Amz-Signature[^"\s]*/g, '$1?[presigned query redacted]');
}

/** Runs `fn` once; later calls get the first call's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}

function lanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return undefined;
}

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

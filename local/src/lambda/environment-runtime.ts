// The runtime inside one execution environment (a worker thread, its own module graph): loads the function's
// bundle once (Lambda's init phase, with the handler module's `warm` export if it has one), then runs the
// invocations the main thread sends. A frozen environment blocks its own thread between invocations, so its
// timers, sockets and promises wait for the next invocation, as on Lambda.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { StatsRegistry } from '@llt/platform/stats';
import { nameThisThread, niceThisThread } from '@llt/platform/thread-priority';
import { lambdaContext } from './context.ts';
import { type EnvironmentData, errorReport, type FromEnvironment, type ToEnvironment } from './protocol.ts';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

const data = workerData as EnvironmentData;
const { port } = data;
const doorbell = new Int32Array(data.doorbell);
/** The function bundle's own registry (its `__stats` export): what it records goes back with each reply. */
let stats: StatsRegistry | undefined;

const post = (message: FromEnvironment) => port.postMessage(message);

// As the Node.js runtime does: an error no invocation catches ends the runtime, and the environment with it.
process.on('uncaughtException', (error) => {
  post({ type: 'crash', error: errorReport(error) });
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  post({ type: 'crash', error: errorReport(reason, 'Runtime.UnhandledPromiseRejection') });
  process.exit(1);
});

/** The next message for a frozen environment: nothing else runs in this thread until it arrives. */
function nextMessage(): ToEnvironment {
  for (;;) {
    const rung = Atomics.load(doorbell, 0);
    const received = receiveMessageOnPort(port);
    if (received) return received.message as ToEnvironment;
    // Returns at once if the main thread rang after `rung` was read (the message is then on the port).
    Atomics.wait(doorbell, 0, rung);
  }
}

function withChanges<T extends FromEnvironment>(message: T): T {
  const changes = stats?.takeChanges();
  return changes ? { ...message, changes } : message;
}

// The environment's CPU priority, before its init: the engines' processes it starts inherit it.
niceThisThread(data.nice);
nameThisThread(data.functionName.replace(/^llt-/, ''));

let handlerModule: Record<string, unknown>;
let handler: Handler;
try {
  handlerModule = (await import(data.handlerUrl)) as Record<string, unknown>;
  stats = handlerModule.__stats as StatsRegistry | undefined;
  const exported = handlerModule[data.handlerName];
  if (typeof exported !== 'function') {
    const error = new Error(`${data.handlerUrl.split('/').pop()}: ${data.handlerName} is undefined or not exported`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  handler = exported as Handler;
  // What a function would do in its init code: start its engines before the first invocation.
  if (typeof handlerModule.warm === 'function') await (handlerModule.warm as () => Promise<unknown>)();
} catch (error) {
  post({ type: 'init-error', error: errorReport(error) });
  process.exit(1);
}

async function run(message: Extract<ToEnvironment, { type: 'invoke' }>): Promise<void> {
  const context = lambdaContext(data.functionName, message.timeoutMs, {
    requestId: message.requestId,
    logStreamName: data.logStreamName,
    memoryLimitInMB: data.memoryLimitInMB,
  });
  let reply: FromEnvironment;
  try {
    const result = await handler(JSON.parse(message.event), context);
    reply = { type: 'result', id: message.id, payload: JSON.stringify(result) ?? 'null' };
  } catch (error) {
    reply = { type: 'error', id: message.id, error: errorReport(error) };
  }
  post(withChanges(reply));
  if (data.freeze) {
    // As Lambda's runtime does after a response (it posts it, then asks for the next event), the event loop turns
    // once more (timers already due, I/O already arrived), then the environment is frozen until the next
    // invocation: whatever the handler left running (timers, sockets, promises) waits.
    setTimeout(() => dispatch(nextMessage()), 0);
  }
}

async function shutdown(graceMs: number): Promise<void> {
  const release = handlerModule.shutdown;
  if (typeof release === 'function') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.resolve()
        .then(() => release())
        .catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
  }
  post(withChanges({ type: 'down' }));
}

function dispatch(message: ToEnvironment): void {
  if (message.type === 'shutdown') void shutdown(message.graceMs);
  else void run(message);
}

post(withChanges({ type: 'ready' }));
if (data.freeze) {
  dispatch(nextMessage());
} else {
  port.on('message', dispatch);
  // Figures recorded between invocations (timers of an environment that is not frozen) reach the runtime too.
  setInterval(() => {
    const changes = stats?.takeChanges();
    if (changes) post({ type: 'stats', changes });
  }, 1_000).unref();
}

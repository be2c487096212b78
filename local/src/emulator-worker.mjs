// Runs kinesalite, dynalite and s3rver on a worker thread of the local process: still in-process, but on
// their own event loop (and core), so emulator work never delays the gateway and the handlers.
// Plain JavaScript so it runs in a worker without a TypeScript loader. Kinesis and DynamoDB keep their data in
// LevelDB folders under the data directory (when one is given), S3 keeps objects as files: a restarted system
// finds its sessions, connections' sequence claims, caption logs, unread audio and stored speech where it left them.
import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import S3rver from 's3rver';

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

/** The LevelDB folder of one emulator, or nothing (in memory) when the system runs without a data directory. */
function persistedIn(name) {
  if (!workerData.dbDir) return {};
  const path = `${workerData.dbDir}/${name}`;
  mkdirSync(path, { recursive: true });
  return { path };
}

/** Each emulator this worker runs: start() resolves with its endpoint, stop() closes it. */
const EMULATORS = {
  kinesis: () => {
    const server = kinesalite({
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: 100,
      ...persistedIn('kinesis'),
    });
    return { start: () => listen(server), stop: () => new Promise((resolve) => server.close(resolve)) };
  },
  dynamodb: () => {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...persistedIn('dynamodb') });
    return { start: () => listen(server), stop: () => new Promise((resolve) => server.close(resolve)) };
  },
  s3: () => {
    const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: workerData.s3Dir });
    return { start: async () => `http://127.0.0.1:${(await server.run()).port}`, stop: () => server.close() };
  },
};

const running = workerData.emulators.map((name) => [name, EMULATORS[name]()]);
try {
  const endpoints = await Promise.all(running.map(async ([name, emulator]) => [name, await emulator.start()]));
  parentPort.postMessage({ type: 'ready', endpoints: Object.fromEntries(endpoints) });
} catch (error) {
  parentPort.postMessage({ type: 'failed', message: String(error?.stack ?? error) });
}

parentPort.on('message', async (message) => {
  if (message?.type !== 'stop') return;
  await Promise.all(running.map(([, emulator]) => emulator.stop()));
  parentPort.postMessage({ type: 'stopped' });
  parentPort.close();
});

// Runs one of kinesalite, dynalite and s3rver on a worker thread of the local process: still in-process, but on
// its own event loop (and core), so emulator work never delays the gateway and the handlers. The thread is named
// after it (`emu-dynamodb`, …) for `top -H`.
// Plain JavaScript so it runs in a worker without a TypeScript loader. Kinesis and DynamoDB keep their data in
// LevelDB folders under the data directory (when one is given), S3 keeps objects as files: a restarted system
// finds its sessions, connections' sequence claims, caption logs, unread audio and stored speech where it left them.
import { createDecipheriv } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { kinesaliteFanOut } from './kinesis-fan-out.mjs';

const require = createRequire(import.meta.url);

/**
 * Kinesis allows each shard 5 GetRecords a second, shared by all its readers; a sixth within a second fails with
 * ProvisionedThroughputExceededException ("Kinesis Data Streams quotas and limits": GetRecords, 5 transactions per
 * second per shard). kinesalite has no read quota, so it gets one here: a read of a shard that already had
 * GET_RECORDS_PER_SECOND reads in the last second is refused as Kinesis refuses it, and counts for nothing. A
 * consumer polling faster than AWS lets it would otherwise look faster locally than it can be.
 */
const GET_RECORDS_PER_SECOND = 5;

/** kinesalite with the GetRecords quota: its action module is wrapped before kinesalite loads its actions. */
function kinesaliteWithReadQuota() {
  const db = require('kinesalite/db');
  const actionPath = require.resolve('kinesalite/actions/getRecords');
  const getRecords = require(actionPath);
  /** Per stream and shard, when its last reads were accepted (at most GET_RECORDS_PER_SECOND). */
  const reads = new Map();
  const quotaGetRecords = (store, data, cb) => {
    const shard = shardOf(db, data.ShardIterator);
    if (shard) {
      const now = Date.now();
      const recent = (reads.get(shard.key) ?? []).filter((at) => now - at < 1000);
      reads.set(shard.key, recent);
      if (recent.length >= GET_RECORDS_PER_SECOND) {
        return cb(
          db.clientError(
            'ProvisionedThroughputExceededException',
            `Rate exceeded for shard ${shard.shardId} in stream ${shard.streamName} under account ${store.metaDb.awsAccountId}.`,
          ),
        );
      }
      recent.push(now);
    }
    // An iterator that cannot be read is for kinesalite to refuse, as it always did.
    return getRecords(store, data, cb);
  };
  require.cache[actionPath].exports = quotaGetRecords;
  return require('kinesalite');
}

/**
 * GetShardIterator of type AT_TIMESTAMP as Kinesis answers it: an iterator at the first record that arrived at or
 * after the timestamp, or, when none did yet, at the shard's tip, so records put from then on are read ("the
 * record with an approximate arrival timestamp equal to or later than the provided timestamp", GetShardIterator in
 * the Kinesis API reference). kinesalite finds the first such record and never answers when there is none: a worker
 * resuming from a timestamp checkpoint on a quiet shard waited forever, and could not stop. Validation (no
 * timestamp, one in the future, unknown stream or shard) stays kinesalite's. Wrapped before kinesalite and the
 * fan-out load the action, so both use it.
 */
function atTimestampAsKinesis() {
  const db = require('kinesalite/db');
  const actionPath = require.resolve('kinesalite/actions/getShardIterator');
  const getShardIterator = require(actionPath);
  const wrapped = (store, data, cb) => {
    if (data.ShardIteratorType !== 'AT_TIMESTAMP' || data.Timestamp == null || data.Timestamp * 1000 > Date.now()) {
      return getShardIterator(store, data, cb);
    }
    let shard;
    try {
      shard = db.resolveShardId(data.ShardId);
    } catch {
      return getShardIterator(store, data, cb);
    }
    store.getStream(data.StreamName, (error, stream) => {
      if (error || shard.shardIx >= stream.Shards.length) return getShardIterator(store, data, cb);
      const first = db.parseSequence(stream.Shards[shard.shardIx].SequenceNumberRange.StartingSequenceNumber);
      // The tip as it is before the search: a record put while it runs comes after it, so none is skipped.
      const tip = db.stringifySequence({
        shardCreateTime: first.shardCreateTime,
        seqIx: stream._seqIx[Math.floor(shard.shardIx / 5)],
        seqTime: Date.now(),
        shardIx: first.shardIx,
      });
      let answered = false;
      const answer = (err, sequence) => {
        if (answered) return;
        answered = true;
        if (err) return cb(err);
        cb(null, { ShardIterator: db.createShardIterator(data.StreamName, shard.shardId, sequence) });
      };
      const records = store.getStreamDb(data.StreamName).createReadStream({
        gt: db.shardIxToHex(shard.shardIx),
        lt: db.shardIxToHex(shard.shardIx + 1),
      });
      records.on('data', (item) => {
        if (answered || item.value.ApproximateArrivalTimestamp < data.Timestamp) return;
        answer(null, item.key.split('/')[1]);
        records.destroy();
      });
      records.on('error', (err) => answer(err));
      records.on('end', () => answer(null, tip));
    });
  };
  require.cache[actionPath].exports = wrapped;
}

/** The stream and shard a kinesalite shard iterator points into, or nothing when it is not one. */
function shardOf(db, iterator) {
  try {
    const buffer = Buffer.from(String(iterator), 'base64');
    const decipher = createDecipheriv('aes-256-cbc', db.ITERATOR_PWD_KEY, db.ITERATOR_PWD_IV);
    const pieces = Buffer.concat([decipher.update(buffer.subarray(8)), decipher.final()])
      .toString('utf8')
      .split('/');
    if (pieces.length !== 5) return undefined;
    return { key: `${pieces[1]}/${pieces[2]}`, streamName: pieces[1], shardId: pieces[2] };
  } catch {
    return undefined;
  }
}

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

/** Each emulator this worker runs: start() resolves with its endpoints by name, stop() closes it. */
const EMULATORS = {
  kinesis: () => {
    atTimestampAsKinesis();
    // Enhanced fan-out wraps kinesalite's actions first: it reads the store without the GetRecords quota.
    const fanOut = kinesaliteFanOut();
    const server = kinesaliteWithReadQuota()({
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: 100,
      ...persistedIn('kinesis'),
    });
    fanOut.attach(server);
    return {
      start: async () => ({ kinesis: await listen(server), kinesisHttp2: await fanOut.listen() }),
      stop: async () => {
        await fanOut.close();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  },
  dynamodb: () => {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...persistedIn('dynamodb') });
    return {
      start: async () => ({ dynamodb: await listen(server) }),
      stop: () => new Promise((resolve) => server.close(resolve)),
    };
  },
  s3: () => {
    const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: workerData.s3Dir });
    return { start: async () => ({ s3: `http://127.0.0.1:${(await server.run()).port}` }), stop: () => server.close() };
  },
};

try {
  writeFileSync('/proc/thread-self/comm', `emu-${workerData.emulators.join('+')}`.slice(0, 15));
} catch {
  // Not Linux: the thread keeps the process's name.
}
const running = workerData.emulators.map((name) => [name, EMULATORS[name]()]);
try {
  const endpoints = await Promise.all(running.map(([, emulator]) => emulator.start()));
  parentPort.postMessage({ type: 'ready', endpoints: Object.assign({}, ...endpoints) });
} catch (error) {
  parentPort.postMessage({ type: 'failed', message: String(error?.stack ?? error) });
}

parentPort.on('message', async (message) => {
  if (message?.type !== 'stop') return;
  await Promise.all(running.map(([, emulator]) => emulator.stop()));
  parentPort.postMessage({ type: 'stopped' });
  parentPort.close();
});

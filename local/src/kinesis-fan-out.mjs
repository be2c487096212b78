// Enhanced fan-out for kinesalite, which has none: registered stream consumers (RegisterStreamConsumer,
// DescribeStreamConsumer, ListStreamConsumers, DeregisterStreamConsumer) and SubscribeToShard, which pushes a shard's
// records to a consumer over HTTP/2 as the stream takes them. Runs on the Kinesis emulator's thread, beside
// kinesalite, reading its store directly: pushed records do not count against the shard's 5 GetRecords a second,
// as on AWS, where each consumer has its own read throughput.
//
// What AWS documents and this reproduces ("SubscribeToShard", "RegisterStreamConsumer" in the Kinesis API reference,
// "Kinesis Data Streams quotas and limits"):
// - SubscribeToShard is HTTP/2 only; the response is an event stream: an initial-response, then SubscribeToShardEvent
//   messages ({Records, ContinuationSequenceNumber, MillisBehindLatest}); ContinuationSequenceNumber is null once a
//   closed shard was read to its end, and the subscription ends.
// - A subscription lasts at most 5 minutes; the consumer subscribes again to go on.
// - One SubscribeToShard a second per consumer and shard (LimitExceededException beyond it). Another call within 5 s
//   of a successful one gets ResourceInUseException; 5 s or more after, it takes the subscription over and the older
//   connection fails with ResourceInUseException.
// - Records reach the consumer about 70 ms after the stream took them ("Developing custom consumers with dedicated
//   throughput"): here a put is pushed PROPAGATION_MS after it, never sooner.
// - Consumer names are unique per stream (ResourceInUseException), at most 20 consumers a stream
//   (LimitExceededException); an unknown consumer ARN is a ResourceNotFoundException.
// Not reproduced: a consumer's CREATING state (the local runtime registers its consumer before any service starts;
// on AWS CloudFormation waits for ACTIVE), the 2 MB a second per consumer and shard.

import http2 from 'node:http2';
import { createRequire } from 'node:module';
import { EventStreamCodec } from '@smithy/core/event-streams';

const require = createRequire(import.meta.url);

export const PROPAGATION_MS = 70;
const SUBSCRIPTION_MS = 5 * 60_000;
const SUBSCRIBE_INTERVAL_MS = 1_000;
const TAKE_OVER_AFTER_MS = 5_000;
const CONSUMERS_PER_STREAM = 20;
/** Records per read of the store while a subscription catches up. */
const READ_LIMIT = 10_000;

const TARGET_PREFIX = 'Kinesis_20131202.';
const CONSUMER_ACTIONS = new Set([
  'RegisterStreamConsumer',
  'DescribeStreamConsumer',
  'ListStreamConsumers',
  'DeregisterStreamConsumer',
]);
const AMZ_JSON = 'application/x-amz-json-1.1';

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

class KinesisError extends Error {
  constructor(type, message, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

/** kinesalite's callback actions as promises. */
function call(action, store, data) {
  return new Promise((resolve, reject) =>
    action(store, data, (error, result) =>
      error
        ? reject(
            new KinesisError(
              error.body?.__type ?? 'InternalFailureException',
              error.body?.message ?? String(error),
              error.statusCode ?? 500,
            ),
          )
        : resolve(result),
    ),
  );
}

/**
 * Wraps kinesalite before it loads: `getRecords` is the action kinesalite serves (wrap it further for quotas), the
 * store is captured when kinesalite creates it, and every accepted put is announced to the subscriptions.
 * Returns the fan-out, whose `attach(server)` adds the consumer actions to kinesalite's HTTP/1.1 server and whose
 * `listen()` starts the HTTP/2 endpoint SubscribeToShard is served on.
 */
export function kinesaliteFanOut() {
  const db = require('kinesalite/db');
  const rawGetRecords = require('kinesalite/actions/getRecords');
  const getShardIterator = require('kinesalite/actions/getShardIterator');
  const fanOut = new FanOut(rawGetRecords, getShardIterator);
  const create = db.create;
  db.create = (options) => {
    fanOut.store = create(options);
    return fanOut.store;
  };
  for (const name of ['putRecord', 'putRecords']) {
    const path = require.resolve(`kinesalite/actions/${name}`);
    const put = require(path);
    require.cache[path].exports = (store, data, cb) =>
      put(store, data, (error, result) => {
        if (!error) {
          const shards = name === 'putRecord' ? [result.ShardId] : result.Records.map((r) => r.ShardId);
          for (const shardId of new Set(shards.filter(Boolean))) fanOut.announce(data.StreamName, shardId);
        }
        cb(error, result);
      });
  }
  return fanOut;
}

class FanOut {
  /** kinesalite's store, once it made it. */
  store;
  /** Consumer ARN → { ConsumerName, ConsumerARN, StreamARN, createdAt }. */
  consumers = new Map();
  /** `${consumerArn} ${shardId}` → { lastCallAt, lastSuccessAt, subscription }. */
  shards = new Map();
  /** `${streamName}/${shardId}` → the live subscriptions on it. */
  listeners = new Map();
  #server;

  constructor(getRecords, getShardIterator) {
    this.getRecords = getRecords;
    this.getShardIterator = getShardIterator;
  }

  /** The consumer actions on kinesalite's own HTTP/1.1 server; SubscribeToShard there is refused (HTTP/2 only). */
  attach(server) {
    const [kinesalite] = server.listeners('request');
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      const action = actionOf(req.headers['x-amz-target']);
      if (!CONSUMER_ACTIONS.has(action) && action !== 'SubscribeToShard') return kinesalite(req, res);
      readBody(req).then(async (body) => {
        try {
          if (action === 'SubscribeToShard') {
            throw new KinesisError('InvalidArgumentException', 'SubscribeToShard is served over HTTP/2 only.');
          }
          sendJson(res, 200, await this.consumerAction(action, body));
        } catch (error) {
          sendError(res, error);
        }
      });
    });
  }

  /** Starts the HTTP/2 (cleartext) endpoint: SubscribeToShard and the consumer actions. */
  listen() {
    this.#server = http2.createServer();
    this.#server.on('stream', (stream, headers) => this.#onStream(stream, headers));
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${this.#server.address().port}`));
    });
  }

  close() {
    for (const subscriptions of this.listeners.values()) for (const s of subscriptions) s.end();
    return new Promise((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** A put reached `shardId` of `streamName`: its subscriptions read it after the propagation delay. */
  announce(streamName, shardId) {
    for (const subscription of this.listeners.get(`${streamName}/${shardId}`) ?? []) subscription.wake();
  }

  async consumerAction(action, body) {
    if (action === 'RegisterStreamConsumer') {
      const streamName = await this.#streamOf(body.StreamARN);
      const ofStream = [...this.consumers.values()].filter((c) => c.StreamARN === body.StreamARN);
      if (ofStream.some((c) => c.ConsumerName === body.ConsumerName)) {
        throw new KinesisError(
          'ResourceInUseException',
          `Consumer ${body.ConsumerName} under stream ${streamName} already exists.`,
        );
      }
      if (ofStream.length >= CONSUMERS_PER_STREAM) {
        throw new KinesisError(
          'LimitExceededException',
          `Stream ${streamName} already has ${CONSUMERS_PER_STREAM} consumers.`,
        );
      }
      const createdAt = Math.floor(Date.now() / 1000);
      const consumer = {
        ConsumerName: body.ConsumerName,
        ConsumerARN: `${body.StreamARN}/consumer/${body.ConsumerName}:${createdAt}`,
        StreamARN: body.StreamARN,
        createdAt,
      };
      this.consumers.set(consumer.ConsumerARN, consumer);
      return { Consumer: describe(consumer, false) };
    }
    if (action === 'DescribeStreamConsumer') {
      const consumer = this.#consumer(body);
      return { ConsumerDescription: describe(consumer, true) };
    }
    if (action === 'ListStreamConsumers') {
      await this.#streamOf(body.StreamARN);
      const consumers = [...this.consumers.values()].filter((c) => c.StreamARN === body.StreamARN);
      return { Consumers: consumers.map((c) => describe(c, false)) };
    }
    // DeregisterStreamConsumer: its subscriptions end.
    const consumer = this.#consumer(body);
    this.consumers.delete(consumer.ConsumerARN);
    for (const [key, state] of this.shards) {
      if (key.startsWith(`${consumer.ConsumerARN} `))
        state.subscription?.fail('ResourceNotFoundException', 'The consumer was deregistered.');
    }
    return {};
  }

  #consumer(body) {
    const consumer = body.ConsumerARN
      ? this.consumers.get(body.ConsumerARN)
      : [...this.consumers.values()].find(
          (c) => c.StreamARN === body.StreamARN && c.ConsumerName === body.ConsumerName,
        );
    if (!consumer) {
      throw new KinesisError(
        'ResourceNotFoundException',
        `Consumer ${body.ConsumerARN ?? body.ConsumerName} not found.`,
      );
    }
    return consumer;
  }

  /** The stream an ARN names (it must exist). */
  async #streamOf(streamArn) {
    const match = /^arn:aws[\w-]*:kinesis:[^:]+:\d+:stream\/([\w.-]+)$/.exec(String(streamArn ?? ''));
    if (!match) throw new KinesisError('InvalidArgumentException', `Invalid StreamARN: ${streamArn}`);
    await new Promise((resolve, reject) =>
      this.store.getStream(match[1], (error) =>
        error ? reject(new KinesisError('ResourceNotFoundException', `Stream ${match[1]} not found.`)) : resolve(),
      ),
    );
    return match[1];
  }

  #onStream(stream, headers) {
    const action = actionOf(headers['x-amz-target']);
    readBody(stream).then(async (body) => {
      try {
        if (action === 'SubscribeToShard') return await this.#subscribe(stream, body);
        if (!CONSUMER_ACTIONS.has(action)) {
          throw new KinesisError('UnknownOperationException', `${action} is not served on the HTTP/2 endpoint.`);
        }
        const result = await this.consumerAction(action, body);
        stream.respond({ ':status': 200, 'content-type': AMZ_JSON });
        stream.end(JSON.stringify(result));
      } catch (error) {
        if (stream.headersSent || stream.destroyed) return;
        const e = asKinesisError(error);
        stream.respond({ ':status': e.status, 'content-type': AMZ_JSON });
        stream.end(JSON.stringify({ __type: e.type, message: e.message }));
      }
    });
  }

  async #subscribe(stream, body) {
    const consumer = this.#consumer({ ConsumerARN: body.ConsumerARN });
    const streamName = await this.#streamOf(consumer.StreamARN);
    const key = `${consumer.ConsumerARN} ${body.ShardId}`;
    const state = this.shards.get(key) ?? {
      lastCallAt: Number.NEGATIVE_INFINITY,
      lastSuccessAt: Number.NEGATIVE_INFINITY,
    };
    this.shards.set(key, state);
    const now = Date.now();
    const sinceCall = now - state.lastCallAt;
    state.lastCallAt = now;
    if (sinceCall < SUBSCRIBE_INTERVAL_MS) {
      throw new KinesisError(
        'LimitExceededException',
        `Rate exceeded for consumer ${consumer.ConsumerARN} and shard ${body.ShardId}.`,
      );
    }
    if (now - state.lastSuccessAt < TAKE_OVER_AFTER_MS) {
      throw new KinesisError(
        'ResourceInUseException',
        `Another active subscription exists for consumer ${consumer.ConsumerARN} and shard ${body.ShardId}.`,
      );
    }
    const position = body.StartingPosition ?? {};
    const { ShardIterator } = await call(this.getShardIterator, this.store, {
      StreamName: streamName,
      ShardId: body.ShardId,
      ShardIteratorType: position.Type,
      ...(position.SequenceNumber ? { StartingSequenceNumber: position.SequenceNumber } : {}),
      ...(position.Timestamp !== undefined ? { Timestamp: Number(position.Timestamp) } : {}),
    });
    state.lastSuccessAt = Date.now();
    state.subscription?.fail('ResourceInUseException', 'Another subscription took this one over.');
    const subscription = new Subscription(this, stream, `${streamName}/${body.ShardId}`, ShardIterator);
    state.subscription = subscription;
    subscription.onEnd = () => {
      if (state.subscription === subscription) state.subscription = undefined;
    };
    subscription.start();
  }
}

/** One consumer's subscription to one shard: an event stream that lasts up to SUBSCRIPTION_MS. */
class Subscription {
  onEnd = () => {};
  #ended = false;
  #timer;
  #reading = false;
  #again = false;
  /** Records read from the store that have not propagated yet. */
  #held = [];
  /** The shard is closed and was read to its end. */
  closed = false;
  #lifetime;

  constructor(fanOut, stream, shardKey, iterator) {
    this.fanOut = fanOut;
    this.stream = stream;
    this.shardKey = shardKey;
    this.iterator = iterator;
  }

  start() {
    const { listeners } = this.fanOut;
    if (!listeners.has(this.shardKey)) listeners.set(this.shardKey, new Set());
    listeners.get(this.shardKey).add(this);
    this.stream.on('close', () => this.end());
    this.stream.on('error', () => this.end());
    this.stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
    this.#send('initial-response', {});
    this.#lifetime = setTimeout(() => this.end(), SUBSCRIPTION_MS);
    // What is on the shard already after the starting position goes out at once.
    void this.#read();
  }

  /** A put reached the shard: read it once it has propagated. */
  wake() {
    this.#schedule(PROPAGATION_MS);
  }

  #schedule(ms) {
    if (this.#ended || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#read();
    }, ms);
  }

  /** Reads what the shard has after the iterator, then pushes the records that have propagated, in order. */
  async #read() {
    if (this.#ended) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    try {
      for (;;) {
        this.#again = false;
        const out = await call(this.fanOut.getRecords, this.fanOut.store, {
          ShardIterator: this.iterator,
          Limit: READ_LIMIT,
        });
        if (this.#ended) return;
        this.#held.push(...(out.Records ?? []));
        this.closed = out.NextShardIterator === undefined;
        if (!this.closed) this.iterator = out.NextShardIterator;
        this.#push(out.MillisBehindLatest ?? 0);
        if (this.closed || ((out.Records ?? []).length < READ_LIMIT && !this.#again)) return;
      }
    } catch (error) {
      this.fail(error.type ?? 'InternalFailureException', error.message ?? String(error));
    } finally {
      this.#reading = false;
    }
  }

  /** Sends the held records that arrived PROPAGATION_MS ago or more; the others wait for their time. */
  #push(millisBehindLatest) {
    const due = Date.now() - PROPAGATION_MS;
    let count = 0;
    while (count < this.#held.length && arrivalMs(this.#held[count]) <= due) count++;
    const records = this.#held.splice(0, count);
    if (records.length > 0) {
      this.#send('SubscribeToShardEvent', {
        Records: records,
        ContinuationSequenceNumber: records.at(-1).SequenceNumber,
        MillisBehindLatest: millisBehindLatest,
      });
    }
    if (this.#held.length > 0) {
      this.#schedule(Math.max(1, arrivalMs(this.#held[0]) - due));
    } else if (this.closed) {
      // A closed shard read to its end: the last event says so, and the subscription ends.
      this.#send('SubscribeToShardEvent', {
        Records: [],
        ContinuationSequenceNumber: null,
        MillisBehindLatest: 0,
        ChildShards: [],
      });
      this.end();
    }
  }

  #send(eventType, body) {
    if (this.#ended || this.stream.destroyed) return;
    this.#write({ ':message-type': 'event', ':event-type': eventType }, body);
  }

  /** Ends the subscription with an exception event (what a taken-over or broken subscription receives). */
  fail(type, message) {
    if (!this.#ended && !this.stream.destroyed) {
      this.#write({ ':message-type': 'exception', ':exception-type': type }, { message });
    }
    this.end();
  }

  /** One event-stream message: string headers, a JSON body. */
  #write(headers, body) {
    const all = { ...headers, ':content-type': 'application/json' };
    this.stream.write(
      codec.encode({
        headers: Object.fromEntries(Object.entries(all).map(([name, value]) => [name, { type: 'string', value }])),
        body: new TextEncoder().encode(JSON.stringify(body)),
      }),
    );
  }

  end() {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#lifetime);
    this.fanOut.listeners.get(this.shardKey)?.delete(this);
    if (!this.stream.destroyed) this.stream.end();
    this.onEnd();
  }
}

/** When the stream took a record (kinesalite keeps seconds with a millisecond fraction). */
function arrivalMs(record) {
  return Math.round(Number(record.ApproximateArrivalTimestamp) * 1000);
}

function describe(consumer, withStream) {
  return {
    ConsumerName: consumer.ConsumerName,
    ConsumerARN: consumer.ConsumerARN,
    ConsumerStatus: 'ACTIVE',
    ConsumerCreationTimestamp: consumer.createdAt,
    ...(withStream ? { StreamARN: consumer.StreamARN } : {}),
  };
}

function actionOf(target) {
  return typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
}

function readBody(readable) {
  return new Promise((resolve) => {
    const chunks = [];
    readable.on('data', (chunk) => chunks.push(chunk));
    readable.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        resolve({});
      }
    });
  });
}

function sendJson(res, status, data) {
  const body = JSON.stringify(data);
  res.writeHead(status, { 'Content-Type': AMZ_JSON, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res, error) {
  const e = asKinesisError(error);
  sendJson(res, e.status, { __type: e.type, message: e.message });
}

/** A refusal as Kinesis words it; anything else is Kinesis' internal failure. */
function asKinesisError(error) {
  return error instanceof KinesisError ? error : new KinesisError('InternalFailureException', String(error), 500);
}

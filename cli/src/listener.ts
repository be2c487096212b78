// The command-line listener: the protocol client's listener connection over Node's socket, plus what tools
// and tests want of it: the messages received so far, waiting for one, iterating over them.
import {
  ClientClosedError,
  type LinkState,
  ListenerConnection,
  type ListenerOptions,
  type ListenerWelcome,
  type ReconnectPolicy,
  TimeoutError,
  webSocketUrl,
} from '@llt/client';
import { nodeSocket } from '@llt/client/node';
import type { ServerMessage } from '@llt/events';
import { DEFAULT_RECONNECT } from './schedule.ts';

export type { ListenerWelcome };

export interface ReceivedMessage {
  message: ServerMessage;
  /** Epoch ms when the message arrived (the client's clock). */
  receivedAt: number;
}

export interface ListenerClientOptions
  extends Omit<ListenerOptions, 'url' | 'createSocket' | 'onProblem' | 'onFailed' | 'onMessage'> {
  server: string;
  /** Join code shown to the audience. */
  code: string;
  /** Target language code, e.g. `es`. */
  lang: string;
  reconnect?: ReconnectPolicy;
  handshakeTimeoutMs?: number;
  onMessage?: (message: ServerMessage, receivedAt: number) => void;
  /** `fatal` true: the client has closed and `done` rejects with the same error. */
  onError?: (error: Error, fatal: boolean) => void;
  onState?: (state: LinkState) => void;
  /** Messages kept for `waitFor` and `history`. Default 10 000. */
  historyLimit?: number;
}

type Waiter = {
  predicate: (message: ServerMessage) => boolean;
  resolve: (received: ReceivedMessage) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
};

export class ListenerClient extends ListenerConnection {
  reconnects = 0;
  private isDone = false;
  private readonly received_: ReceivedMessage[] = [];
  private waiters: Waiter[] = [];
  private readonly taps = new Set<(received: ReceivedMessage) => void>();

  constructor(options: ListenerClientOptions) {
    const { server, code, lang, onError, onMessage, onWelcome } = options;
    super({
      ...options,
      url: webSocketUrl(server, { role: 'listener', code, lang }),
      createSocket: nodeSocket({ handshakeTimeoutMs: options.handshakeTimeoutMs }),
      reconnect: { ...DEFAULT_RECONNECT, ...options.reconnect },
      onMessage: (message, receivedAt) => {
        onMessage?.(message, receivedAt);
        this.deliver({ message, receivedAt }, options.historyLimit ?? 10_000);
      },
      onWelcome: (welcome, reconnected) => {
        if (reconnected) this.reconnects++;
        onWelcome?.(welcome, reconnected);
      },
      onProblem: (problem) => onError?.(problem.error, false),
      onFailed: (error) => onError?.(error, true),
    });
    void this.done
      .finally(() => {
        this.isDone = true;
      })
      .catch(() => {});
    void this.done.then(
      () => this.stopWaiters(new ClientClosedError(this.ended ? 'The session has ended' : 'The listener was closed')),
      (error: Error) => this.stopWaiters(error),
    );
  }

  /** Messages received so far (up to historyLimit), oldest first. */
  get history(): readonly ReceivedMessage[] {
    return this.received_;
  }

  /**
   * Resolves with the first message matching `predicate` — among those already received unless
   * `includePast` is false — or rejects with TimeoutError, or with the client's error if it stops first.
   */
  waitFor<T extends ServerMessage = ServerMessage>(
    predicate: ((message: ServerMessage) => message is T) | ((message: ServerMessage) => boolean),
    timeoutMs = 10_000,
    { includePast = true }: { includePast?: boolean } = {},
  ): Promise<T> {
    if (includePast) {
      const past = this.received_.find((r) => predicate(r.message));
      if (past) return Promise.resolve(past.message as T);
    }
    if (this.isDone || this.state === 'closed') {
      return Promise.reject(this.failure ?? new ClientClosedError('The listener is closed'));
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (r) => resolve(r.message as T),
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          const last = this.received_.slice(-5).map(({ message: m }) => describeMessage(m));
          reject(
            new TimeoutError(
              `No matching message within ${timeoutMs} ms (${this.received_.length} received; the last: ${last.join(', ') || 'none'})`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Every message from now on, until the client is done. */
  async *messages(): AsyncGenerator<ReceivedMessage> {
    const queue: ReceivedMessage[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    const tap = (received: ReceivedMessage) => {
      queue.push(received);
      wake?.();
    };
    this.taps.add(tap);
    const over = this.done.then(
      () => {
        finished = true;
      },
      () => {
        finished = true;
      },
    );
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (finished) return;
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), over]);
      }
    } finally {
      this.taps.delete(tap);
    }
  }

  private deliver(received: ReceivedMessage, limit: number): void {
    this.received_.push(received);
    if (this.received_.length > limit) this.received_.splice(0, this.received_.length - limit);
    for (const tap of this.taps) tap(received);
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate(received.message)) return true;
      clearTimeout(w.timer);
      w.resolve(received);
      return false;
    });
  }

  private stopWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}

/** A message in a few words, for an error that says what did arrive. */
function describeMessage(m: ServerMessage): string {
  if (m.type === 'caption') return `caption ${m.kind} ${m.language} ${m.final ? 'final' : 'partial'} ${m.segmentId}`;
  if (m.type === 'audio')
    return `audio ${m.language} ${m.segmentId} part ${m.part ?? 0}${m.last === false ? '' : ' last'}`;
  return m.type;
}

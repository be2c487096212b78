// A minimal listener for load benchmarks: one WebSocket, joined the way the CLI's ListenerClient does
// (`/ws?role=listener&code=…&lang=…`, then `{"action":"hello"}` → welcome), and for each final caption or audio
// message only {kind, segmentId, segmentIndex, language, receivedAt}. No history, validation or reconnects, so a
// thousand of them fit in one process; a dropped connection is recorded, not repaired.
import { webSocketUrl } from '@llt/cli';
import WebSocket from 'ws';

export type LeanKind = 'source' | 'translation' | 'audio';

export interface LeanArrival {
  kind: LeanKind;
  segmentId: string;
  segmentIndex: number;
  language: string;
  /** Epoch ms the frame arrived, taken before it is parsed. */
  receivedAt: number;
}

export class LeanListener {
  readonly arrivals: LeanArrival[] = [];
  /** How many times each `${kind}:${segmentId}` arrived. */
  readonly copies = new Map<string, number>();
  partials = 0;
  readonly errors: string[] = [];
  sessionEnded = false;
  /** The socket closed before the session ended or close() was called. */
  dropped = false;
  private ws: WebSocket | undefined;
  private closing = false;

  constructor(
    readonly server: string,
    readonly code: string,
    readonly language: string,
    private readonly onActivity: () => void = () => {},
  ) {}

  /** Opens the socket and resolves on the welcome; rejects on a refusal, an error message or a timeout. */
  connect(timeoutMs = 15_000): Promise<void> {
    const url = webSocketUrl(this.server, { role: 'listener', code: this.code, lang: this.language });
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
      this.ws = ws;
      let welcomed = false;
      const timer = setTimeout(() => {
        reject(new Error(`no welcome within ${timeoutMs} ms`));
        ws.terminate();
      }, timeoutMs);
      ws.on('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`handshake refused: HTTP ${res.statusCode}`));
        ws.terminate();
      });
      ws.on('open', () => ws.send('{"action":"hello"}'));
      ws.on('message', (data, isBinary) => {
        const receivedAt = Date.now();
        if (isBinary) return;
        let m: Record<string, unknown>;
        try {
          m = JSON.parse(String(data)) as Record<string, unknown>;
        } catch {
          this.errors.push('unparseable message');
          return;
        }
        const type = m.type;
        if (type === 'caption' || type === 'audio') {
          if (type === 'caption' && m.final !== true) {
            this.partials++;
            return;
          }
          const kind: LeanKind = type === 'audio' ? 'audio' : m.kind === 'source' ? 'source' : 'translation';
          const segmentId = m.segmentId as string;
          // A sentence's speech may come in parts (clauses while it is spoken, then the rest): its arrival is the
          // part that ends it; every part is counted once for duplicates.
          if (kind !== 'audio' || m.last !== false) {
            this.arrivals.push({
              kind,
              segmentId,
              segmentIndex: m.segmentIndex as number,
              language: m.language as string,
              receivedAt,
            });
          }
          const key = kind === 'audio' ? `audio:${segmentId}#${Number(m.part ?? 0)}` : `${kind}:${segmentId}`;
          this.copies.set(key, (this.copies.get(key) ?? 0) + 1);
          this.onActivity();
        } else if (type === 'welcome' && !welcomed) {
          welcomed = true;
          clearTimeout(timer);
          resolve();
        } else if (type === 'error') {
          const text = `${String(m.code)}: ${String(m.message)}`;
          this.errors.push(text);
          if (!welcomed) {
            clearTimeout(timer);
            reject(new Error(text));
            ws.close(1000);
          }
        } else if (type === 'session-ended') {
          this.sessionEnded = true;
        }
      });
      ws.on('close', (code) => {
        clearTimeout(timer);
        if (!welcomed) reject(new Error(`closed (${code}) before the welcome`));
        else if (!this.closing && !this.sessionEnded) this.dropped = true;
      });
      ws.on('error', (error) => {
        this.errors.push(error.message);
      });
    });
  }

  /** The socket is closed (or was never opened). */
  get closed(): boolean {
    return !this.ws || this.ws.readyState === WebSocket.CLOSED;
  }

  /** Whether the segment's message of this kind arrived (for audio: any part of its speech). */
  has(kind: LeanKind, segmentId: string): boolean {
    if (kind !== 'audio') return this.copies.has(`${kind}:${segmentId}`);
    for (const key of this.copies.keys()) if (key.startsWith(`audio:${segmentId}#`)) return true;
    return false;
  }

  /** Closes the socket; resolves when it has closed (or after 2 s). */
  close(): Promise<void> {
    this.closing = true;
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2_000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    });
  }
}

// A throwaway in-process imitation of the server's client contract (HTTP API + /ws), with hooks to misbehave.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeAudioFrameText, isAudioFrameText, type ServerMessage } from '@llt/events';
import WebSocket, { WebSocketServer } from 'ws';

export interface ReceivedFrame {
  seq: number;
  captureTime: number;
  samples: Int16Array;
  /** Which speaker connection of the session carried it (1 = first). */
  connection: number;
  receivedAt: number;
}

export interface FakeSession {
  sessionId: string;
  joinCode: string;
  token: string;
  sourceLanguage: string;
  targetLanguages: string[];
  /** The glossary sent at creation, as sent. */
  glossary?: unknown;
  /** Every frame received, duplicates included, in arrival order. */
  received: ReceivedFrame[];
  /** Stored frames by seq (first copy wins). */
  stored: Map<number, ReceivedFrame>;
  controls: string[];
  ended: boolean;
  speaker: WebSocket | undefined;
  speakerConnections: number;
  listeners: Set<WebSocket>;
  /** Refuse this many upcoming speaker handshakes with 409 speaker_already_connected. */
  refuseSpeakers: number;
}

export interface FakeServerHooks {
  /** Called after each stored or duplicate frame; may e.g. terminate the socket. */
  onFrame?: (session: FakeSession, frame: ReceivedFrame, ws: WebSocket) => void;
}

export class FakeServer {
  readonly sessions = new Map<string, FakeSession>();
  hooks: FakeServerHooks = {};
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });

  private constructor() {
    this.http = createServer((req, res) => {
      void this.handleHttp(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    this.http.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket as Socket, head));
  }

  static async start(): Promise<FakeServer> {
    const server = new FakeServer();
    await new Promise<void>((resolve) => server.http.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    const { port } = this.http.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  createSession(sourceLanguage = 'en', targetLanguages = ['es', 'ca']): FakeSession {
    const session: FakeSession = {
      sessionId: `sess_${randomBytes(6).toString('hex')}`,
      joinCode: randomBytes(3).toString('hex').toUpperCase(),
      token: randomBytes(16).toString('hex'),
      sourceLanguage,
      targetLanguages,
      received: [],
      stored: new Map(),
      controls: [],
      ended: false,
      speaker: undefined,
      speakerConnections: 0,
      listeners: new Set(),
      refuseSpeakers: 0,
    };
    this.sessions.set(session.sessionId, session);
    return session;
  }

  /** Highest seq up to which every frame from 0 was stored, as a welcome reports it. */
  lastSeq(session: FakeSession): number | null {
    let seq = -1;
    while (session.stored.has(seq + 1)) seq++;
    return seq < 0 ? null : seq;
  }

  /** Forgets stored frames (as if they had been lost before being stored), so a welcome asks for them again. */
  forget(session: FakeSession, seqs: number[]): void {
    for (const seq of seqs) session.stored.delete(seq);
  }

  broadcast(session: FakeSession, message: ServerMessage): void {
    for (const ws of session.listeners) ws.send(JSON.stringify(message));
  }

  endSession(session: FakeSession, reason = 'speaker-ended'): void {
    if (session.ended) return;
    session.ended = true;
    const notice = JSON.stringify({ type: 'session-ended', sessionId: session.sessionId, reason });
    for (const ws of [...session.listeners, ...(session.speaker ? [session.speaker] : [])]) {
      ws.send(notice);
      ws.close(1000);
    }
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async handleHttp(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/api/languages') {
      const target = (code: string, name: string, spoken = true) => ({
        code,
        name,
        nativeName: name,
        available: true,
        spoken,
      });
      return {
        status: 200,
        body: {
          source: [{ code: 'en', name: 'English', nativeName: 'English' }],
          target: [target('ca', 'Catalan'), target('gl', 'Galician', false), target('es', 'Spanish')],
        },
      };
    }
    if (req.method === 'POST' && url.pathname === '/api/sessions') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let body: { sourceLanguage?: unknown; targetLanguages?: unknown; glossary?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return error(400, 'invalid_request', 'Request body is not valid JSON');
      }
      if (body.sourceLanguage !== 'en') {
        return error(400, 'unsupported_language', `Unknown source language "${String(body.sourceLanguage)}"`);
      }
      const targets = Array.isArray(body.targetLanguages) ? body.targetLanguages.map(String) : [];
      const session = this.createSession('en', targets);
      if (body.glossary !== undefined) session.glossary = body.glossary;
      return {
        status: 201,
        body: {
          sessionId: session.sessionId,
          joinCode: session.joinCode,
          speakerToken: session.token,
          sourceLanguage: 'en',
          targetLanguages: targets,
          expiresAt: Date.now() + 3_600_000,
        },
      };
    }
    const join = /^\/api\/join\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && join) {
      const session = this.byCode(decodeURIComponent(join[1]!));
      if (!session) return error(404, 'unknown_join_code', `No session has join code "${join[1]}"`);
      const { sessionId, sourceLanguage, targetLanguages } = session;
      return { status: 200, body: { sessionId, sourceLanguage, targetLanguages } };
    }
    return error(404, 'invalid_request', `No route ${req.method} ${url.pathname}`);
  }

  private byCode(code: string): FakeSession | undefined {
    return [...this.sessions.values()].find((s) => s.joinCode === code.toUpperCase());
  }

  private handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const outcome = this.route(req);
    if (typeof outcome === 'function') {
      this.wss.handleUpgrade(req, socket, head, outcome);
      return;
    }
    const body = JSON.stringify({ type: 'error', code: outcome.code, message: outcome.message });
    socket.end(
      `HTTP/1.1 ${outcome.status} ${STATUS_CODES[outcome.status]}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }

  /** Accepts a handshake (returning what to do with the socket) or says how to refuse it. */
  private route(req: IncomingMessage): Refusal | ((ws: WebSocket) => void) {
    const url = new URL(req.url ?? '/', 'http://x');
    const q = Object.fromEntries(url.searchParams);
    if (url.pathname !== '/ws') return refusal(404, 'invalid_request', 'WebSocket endpoint is /ws');
    if (q.role === 'speaker') {
      const session = q.sessionId ? this.sessions.get(q.sessionId) : undefined;
      if (!session) return refusal(404, 'unknown_session', `No session ${q.sessionId}`);
      if (q.token !== session.token)
        return refusal(401, 'invalid_token', 'The speaker token does not match this session');
      if (session.ended) return refusal(410, 'session_ended', `Session ${session.sessionId} has ended`);
      if (session.refuseSpeakers > 0 || session.speaker?.readyState === WebSocket.OPEN) {
        session.refuseSpeakers = Math.max(0, session.refuseSpeakers - 1);
        return refusal(409, 'speaker_already_connected', 'This session already has a speaker connected');
      }
      return (ws) => this.speaker(session, ws);
    }
    if (q.role === 'listener') {
      const session = q.code ? this.byCode(q.code) : undefined;
      if (!session) return refusal(404, 'unknown_join_code', `No session has join code "${q.code}"`);
      if (session.ended) return refusal(410, 'session_ended', `Session ${session.sessionId} has ended`);
      const lang = q.lang;
      if (!lang || !session.targetLanguages.includes(lang)) {
        return refusal(400, 'language_not_offered', `This session is not translated into "${lang}"`);
      }
      return (ws) => this.listener(session, ws, lang);
    }
    return refusal(
      400,
      'invalid_request',
      'Connect with ?role=speaker&sessionId=…&token=… or ?role=listener&code=…&lang=…',
    );
  }

  private speaker(session: FakeSession, ws: WebSocket): void {
    session.speaker = ws;
    const connection = ++session.speakerConnections;
    ws.on('message', (data, isBinary) => {
      // ws still emits messages it had already read when a hook terminated the socket; a real server would not.
      if (ws.readyState !== WebSocket.OPEN) return;
      // API Gateway's rule: a binary frame closes the connection with 1003.
      if (isBinary) {
        ws.close(1003, 'Binary frames are not supported');
        return;
      }
      const text = (data as Buffer).toString('utf8');
      if (isAudioFrameText(text)) {
        const decoded = decodeAudioFrameText(text);
        if (!decoded.ok) {
          ws.send(JSON.stringify({ type: 'error', code: decoded.code, message: decoded.message }));
          return;
        }
        const { seq, captureTime, pcm } = decoded.frame;
        const samples = new Int16Array(pcm.byteLength / 2);
        new Uint8Array(samples.buffer).set(pcm);
        const frame: ReceivedFrame = { seq, captureTime, samples, connection, receivedAt: Date.now() };
        session.received.push(frame);
        if (!session.stored.has(seq)) session.stored.set(seq, frame);
        this.hooks.onFrame?.(session, frame, ws);
        return;
      }
      const { action } = JSON.parse(text) as { action: string };
      session.controls.push(action);
      if (action === 'hello') {
        ws.send(
          JSON.stringify({
            type: 'welcome',
            role: 'speaker',
            sessionId: session.sessionId,
            sourceLanguage: session.sourceLanguage,
            targetLanguages: session.targetLanguages,
            lastSeq: this.lastSeq(session),
          }),
        );
      } else if (action === 'end') {
        this.endSession(session);
      }
    });
    ws.on('close', () => {
      if (session.speaker === ws) session.speaker = undefined;
    });
  }

  private listener(session: FakeSession, ws: WebSocket, language: string): void {
    session.listeners.add(ws);
    ws.on('message', (data) => {
      const { action } = JSON.parse(String(data)) as { action: string };
      if (action === 'hello') {
        ws.send(
          JSON.stringify({
            type: 'welcome',
            role: 'listener',
            sessionId: session.sessionId,
            sourceLanguage: session.sourceLanguage,
            language,
          }),
        );
      } else {
        ws.send(JSON.stringify({ type: 'error', code: 'not_speaker', message: `Only the speaker can ${action}` }));
      }
    });
    ws.on('close', () => session.listeners.delete(ws));
  }
}

interface Refusal {
  status: number;
  code: string;
  message: string;
}

function refusal(status: number, code: string, message: string): Refusal {
  return { status, code, message };
}

function error(status: number, code: string, message: string) {
  return { status, body: { type: 'error', code, message } };
}

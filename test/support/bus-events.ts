// Follows every event on the local system's bus (GET /internal/events, NDJSON), for tests and benchmarks.
import http from 'node:http';

export interface ObservedEvent {
  receivedAt: number;
  detailType: string;
  source: string;
  detail: Record<string, unknown>;
}

export interface EventTap {
  events: ObservedEvent[];
  waitFor(predicate: (e: ObservedEvent) => boolean, timeoutMs: number): Promise<ObservedEvent>;
  close(): void;
}

export async function tapEvents(baseUrl: string): Promise<EventTap> {
  const events: ObservedEvent[] = [];
  const req = http.get(`${baseUrl}/internal/events`);
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    const receivedAt = Date.now();
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) {
        const e = JSON.parse(line) as { 'detail-type': string; source: string; detail: Record<string, unknown> };
        events.push({ receivedAt, detailType: e['detail-type'], source: e.source, detail: e.detail });
      }
      newline = buffer.indexOf('\n');
    }
  });
  res.on('error', () => undefined);
  return {
    events,
    async waitFor(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close() {
      req.destroy();
    },
  };
}

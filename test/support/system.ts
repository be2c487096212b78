// Starts the local system for a test file on free ports with its own data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSystem, type LocalSystemOptions, startLocalSystem } from '@llt/local';

export async function startTestSystem(
  options: Pick<
    LocalSystemOptions,
    'services' | 'onError' | 'lambda' | 'speakerAuth' | 'users' | 'tokenTtlS' | 'targetLanguages'
  > = {},
): Promise<LocalSystem & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'llt-test-'));
  // Four languages unless a test asks for others: fewer pipelines and voices to warm per system.
  const system = await startLocalSystem({ port: 0, dataDir, targetLanguages: ['es', 'ca', 'gl', 'eo'], ...options });
  return {
    ...system,
    dataDir,
    async stop() {
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Opens a raw WebSocket and resolves with it once open, or rejects with the refused handshake's status and body. */
export async function openSocket(url: string): Promise<import('ws').WebSocket> {
  const { WebSocket } = await import('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () =>
        reject(
          Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(body) }),
        ),
      );
    });
    ws.once('error', reject);
  });
}

/** Collects a socket's JSON messages. */
export function inbox(ws: import('ws').WebSocket) {
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  return {
    messages,
    async next(predicate: (m: Record<string, unknown>) => boolean, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(messages)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

// Per-process memory of connections (immutable once made) and of each session's last known sequence state,
// so an audio frame costs one conditional write instead of two reads and a write. Bounded; misses fall back
// to the stores, so a cold Lambda instance or an eviction is only slower, never wrong.
import { ClientError } from '../errors.ts';
import type { ConnectionRecord, ConnectionStore } from './ports.ts';
import type { SeqState } from './sequence.ts';

export class ConnectionCache {
  private readonly connections = new Map<string, ConnectionRecord>();
  private readonly seq = new Map<string, SeqState | null>();

  constructor(
    private readonly store: ConnectionStore,
    private readonly capacity = 10_000,
  ) {}

  async require(connectionId: string): Promise<ConnectionRecord> {
    const cached = this.connections.get(connectionId);
    if (cached) return cached;
    const record = await this.store.get(connectionId);
    if (!record) {
      throw new ClientError('unknown_session', 'This connection is not part of any session; reconnect', 404);
    }
    this.remember(this.connections, connectionId, record);
    return record;
  }

  forget(connectionId: string): void {
    this.connections.delete(connectionId);
  }

  seqState(sessionId: string): SeqState | null | undefined {
    return this.seq.get(sessionId);
  }

  setSeqState(sessionId: string, state: SeqState | null): void {
    this.remember(this.seq, sessionId, state);
  }

  forgetSession(sessionId: string): void {
    this.seq.delete(sessionId);
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > this.capacity) map.delete(map.keys().next().value as string);
  }
}

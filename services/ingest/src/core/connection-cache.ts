// Per-process memory of connection records (immutable once made), so an audio frame costs one conditional
// write and no read. Bounded; a miss falls back to the store, so a cold Lambda environment or an eviction is
// only slower, never wrong (whether the connection is still the live speaker is checked by every claim).
import { ClientError } from '../errors.ts';
import type { ConnectionRecord, ConnectionStore } from './ports.ts';

export class ConnectionCache {
  private readonly connections = new Map<string, ConnectionRecord>();

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

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > this.capacity) map.delete(map.keys().next().value as string);
  }
}

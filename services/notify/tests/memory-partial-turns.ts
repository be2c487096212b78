// The partial turns as DynamoDB keeps them, in memory: the same conditions, for the use-case tests.
import type { CaptionMessage } from '@llt/events';
import { type CaptionRef, isNewer, type NewestCaption, type PartialTurns } from '#core/partials';

const same = (a: CaptionRef, b: CaptionRef) =>
  a.segmentIndex === b.segmentIndex && a.revision === b.revision && a.final === b.final;

export class MemoryPartialTurns implements PartialTurns {
  readonly keys = new Map<string, { newest?: NewestCaption; owner?: string; until?: number }>();

  async offer(ref: CaptionRef, message?: CaptionMessage): Promise<boolean> {
    const state = this.state(ref.key);
    if (state.newest && !isNewer(ref, state.newest.ref)) return false;
    state.newest = { ref, ...(message ? { message } : {}) };
    return true;
  }

  async newest(key: string): Promise<NewestCaption | undefined> {
    return this.keys.get(key)?.newest;
  }

  async acquire(key: string, owner: string, now: number, until: number): Promise<boolean> {
    const state = this.state(key);
    if (state.until !== undefined && state.until >= now && state.owner !== owner) return false;
    Object.assign(state, { owner, until });
    return true;
  }

  async release(key: string, owner: string, sent: CaptionRef): Promise<boolean> {
    const state = this.state(key);
    if (state.owner !== owner || !state.newest || !same(state.newest.ref, sent)) return false;
    state.owner = undefined;
    state.until = undefined;
    return true;
  }

  async abandon(key: string, owner: string): Promise<void> {
    const state = this.state(key);
    if (state.owner !== owner) return;
    state.owner = undefined;
    state.until = undefined;
  }

  private state(key: string) {
    let state = this.keys.get(key);
    if (!state) {
      state = {};
      this.keys.set(key, state);
    }
    return state;
  }
}

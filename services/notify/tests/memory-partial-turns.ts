// The partial turns as DynamoDB keeps them, in memory: the same conditions, for the use-case tests.
import type { CaptionMessage } from '@llt/events';
import { isNewer, type NewestCaption, type PartialTurns, type SourceCaptionRef } from '#core/partials';

const same = (a: SourceCaptionRef, b: SourceCaptionRef) =>
  a.segmentIndex === b.segmentIndex && a.revision === b.revision && a.final === b.final;

export class MemoryPartialTurns implements PartialTurns {
  readonly sessions = new Map<string, { newest?: NewestCaption; owner?: string; until?: number }>();

  async offer(ref: SourceCaptionRef, message?: CaptionMessage): Promise<boolean> {
    const state = this.state(ref.sessionId);
    if (state.newest && !isNewer(ref, state.newest.ref)) return false;
    state.newest = { ref, ...(message ? { message } : {}) };
    return true;
  }

  async newest(sessionId: string): Promise<NewestCaption | undefined> {
    return this.sessions.get(sessionId)?.newest;
  }

  async acquire(sessionId: string, owner: string, now: number, until: number): Promise<boolean> {
    const state = this.state(sessionId);
    if (state.until !== undefined && state.until >= now && state.owner !== owner) return false;
    Object.assign(state, { owner, until });
    return true;
  }

  async release(sessionId: string, owner: string, sent: SourceCaptionRef): Promise<boolean> {
    const state = this.state(sessionId);
    if (state.owner !== owner || !state.newest || !same(state.newest.ref, sent)) return false;
    state.owner = undefined;
    state.until = undefined;
    return true;
  }

  async abandon(sessionId: string, owner: string): Promise<void> {
    const state = this.state(sessionId);
    if (state.owner !== owner) return;
    state.owner = undefined;
    state.until = undefined;
  }

  private state(sessionId: string) {
    let state = this.sessions.get(sessionId);
    if (!state) {
      state = {};
      this.sessions.set(sessionId, state);
    }
    return state;
  }
}

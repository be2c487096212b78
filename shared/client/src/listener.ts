// The listener's connection: join by code and language, pass on every server message, keep the connection
// within API Gateway's idle timeout, reconnect until the session ends, and stay a little after the end for
// the last sentence's translation and audio.
import { KEEPALIVE_ACTION, type ServerMessage, type WelcomeMessage } from '@llt/events';
import { LISTENER_RECONNECT } from './backoff.ts';
import { Link, type LinkOptions } from './link.ts';

export type ListenerWelcome = Extract<WelcomeMessage, { role: 'listener' }>;

export interface ListenerOptions extends LinkOptions<ListenerWelcome> {
  /**
   * How often a quiet listener pings (the free keep-alive route) so API Gateway's 10-minute idle timeout does
   * not close it while the speaker is silent. Default 4 minutes.
   */
  keepAliveMs?: number;
  /** After the session ends, close once this long passes without a message. Default 3 s. */
  lingerMs?: number;
}

export class ListenerConnection extends Link<ListenerWelcome> {
  constructor(options: ListenerOptions) {
    super(options, {
      role: 'listener',
      reconnect: LISTENER_RECONNECT,
      offlineAfterMs: 20_000,
      keepAliveMs: options.keepAliveMs ?? 4 * 60_000,
      keepAliveAction: KEEPALIVE_ACTION,
      lingerMs: options.lingerMs ?? 3000,
    });
  }

  protected isOwnWelcome(message: ServerMessage): message is ListenerWelcome {
    return message.type === 'welcome' && message.role === 'listener';
  }

  protected welcomed_(): void {}

  protected received(): void {}

  protected stopped(): void {}
}

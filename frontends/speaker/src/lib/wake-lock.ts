// Keeps a phone's screen on while the speaker is live (a sleeping phone stops the microphone). Best effort:
// browsers without the Screen Wake Lock API, or that refuse it, simply let the screen sleep.

export class ScreenWakeLock {
  private sentinel: WakeLockSentinel | undefined;
  private wanted = false;

  /** Asks for the lock now and again whenever the page becomes visible (browsers drop it when hidden). */
  hold(): void {
    this.wanted = true;
    void this.acquire();
  }

  release(): void {
    this.wanted = false;
    const sentinel = this.sentinel;
    this.sentinel = undefined;
    sentinel?.release().catch(() => {});
  }

  /** Call when the page becomes visible again. */
  refresh(): void {
    if (this.wanted && (!this.sentinel || this.sentinel.released)) void this.acquire();
  }

  private async acquire(): Promise<void> {
    if (typeof navigator === 'undefined' || !('wakeLock' in navigator) || document.visibilityState !== 'visible')
      return;
    try {
      const sentinel = await navigator.wakeLock.request('screen');
      if (this.wanted) this.sentinel = sentinel;
      else await sentinel.release();
    } catch {
      // Refused (battery saver, permissions policy): the screen may sleep.
    }
  }
}

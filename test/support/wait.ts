// Polling for a condition in an integration test, with a message that says what never happened.

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Added to the failure message: the state that explains the wait (events seen, messages received…). */
  detail?: () => unknown;
}

/** Resolves once `done()` holds; rejects after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  done: () => boolean,
  { timeoutMs = 10_000, intervalMs = 20, detail }: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      const context = detail ? `: ${JSON.stringify(detail())}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// Numbers as the page shows them.

export function formatMs(ms: number | undefined): string {
  return ms === undefined ? '–' : `${Math.round(ms)} ms`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatClock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

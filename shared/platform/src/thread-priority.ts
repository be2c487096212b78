// A thread's own CPU priority. Linux schedules threads one by one and /proc/thread-self names the calling thread, so
// a worker thread (and the processes it starts, which inherit it) can yield the cores to work that must keep real
// time. Elsewhere, or when not allowed, the thread keeps the process's priority.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Sets the calling thread's nice value (0–19); 0 leaves it as it is. */
export function niceThisThread(nice: number): void {
  if (!(nice > 0)) return;
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), nice);
  } catch {
    // Not Linux, or not allowed: the same priority as the rest of the process.
  }
}

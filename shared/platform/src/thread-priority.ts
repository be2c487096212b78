// A thread's own CPU priority. Linux schedules threads one by one and /proc/thread-self names the calling thread, so
// a worker thread (and the processes it starts, which inherit it) can yield the cores to work that must keep real
// time. Elsewhere, or when not allowed, the thread keeps the process's priority.
import { readlinkSync, writeFileSync } from 'node:fs';
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

/**
 * Names the calling thread as `top -H` and `ps -L` show it (Linux keeps 15 characters), so an operator can see which
 * function, worker or emulator takes the cores. Elsewhere it does nothing.
 */
export function nameThisThread(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, 15));
  } catch {
    // Not Linux: threads keep the process's name.
  }
}

// The Kinesis mapping's checkpoints in a JSON file beside the emulators' data, so a restarted system resumes
// reading the audio stream where it stopped instead of skipping (LATEST) or re-reading (TRIM_HORIZON) it.
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { CheckpointStore } from './poller.ts';

/** Writes at most once per `intervalMs` (one audio frame batch after another would otherwise each write). */
export function fileCheckpointStore(path: string, intervalMs = 200): CheckpointStore {
  const checkpoints: Record<string, string> = {};
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const write = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (!dirty) return writing;
    dirty = false;
    const body = JSON.stringify(checkpoints);
    // Written beside and renamed over: a crash mid-write leaves the previous file, never half of one.
    writing = writing
      .then(() => writeFile(`${path}.tmp`, body))
      .then(() => rename(`${path}.tmp`, path))
      .catch((error: Error) => console.error(`[local] cannot save Kinesis checkpoints to ${path}: ${error.message}`));
    return writing;
  };

  return {
    async load() {
      try {
        const saved: unknown = JSON.parse(await readFile(path, 'utf8'));
        if (saved && typeof saved === 'object') {
          for (const [shardId, seq] of Object.entries(saved)) if (typeof seq === 'string') checkpoints[shardId] = seq;
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          console.error(`[local] ignoring unreadable Kinesis checkpoints ${path}: ${(error as Error).message}`);
        }
      }
      return { ...checkpoints };
    },
    save(shardId, sequenceNumber) {
      checkpoints[shardId] = sequenceNumber;
      dirty = true;
      timer ??= setTimeout(() => void write(), intervalMs);
    },
    flush: write,
  };
}

// Real speech for tests: flite (a Debian package the setup installs) speaking a sentence into a WAV file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function speakToWav(text: string, voice = 'slt'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'llt-speech-')), `${voice}.wav`);
  execFileSync('flite', ['-voice', voice, '-t', text, '-o', path]);
  return path;
}

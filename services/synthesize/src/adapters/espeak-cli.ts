// espeak-ng through the Debian CLI: the fallback when the WebAssembly build cannot be loaded.
import { spawn } from 'node:child_process';
import { SynthesisError } from '#errors';
import type { Pcm } from './espeak-wasm.ts';
import { parseWav } from './wav.ts';

export class EspeakCliError extends SynthesisError {
  override name = 'EspeakCliError';
}

const TIMEOUT_MS = 15_000;

/**
 * Runs `espeak-ng -v <voice> --stdout` with the text on stdin: an argument array and no shell, and stdin rather than
 * argv so text starting with "-" can never be read as an option. Without `-m`, the CLI does not interpret SSML;
 * `ssml` adds it, for text whose markup is ours and whose other characters were escaped.
 */
export function synthesizeWithCli(
  text: string,
  voice: string,
  binary = 'espeak-ng',
  { ssml = false }: { ssml?: boolean } = {},
): Promise<Pcm> {
  return new Promise((resolve, reject) => {
    const args = ['-v', voice, ...(ssml ? ['-m'] : []), '--stdout'];
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', (cause) => reject(new EspeakCliError(`could not run ${binary}`, { cause })));
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new EspeakCliError(`${binary} exited with ${code ?? signal}: ${err.trim().slice(0, 300)}`));
        return;
      }
      try {
        resolve(parseWav(Buffer.concat(out)));
      } catch (cause) {
        reject(new EspeakCliError(`${binary} wrote unreadable WAV`, { cause }));
      }
    });
    child.stdin.on('error', () => {}); // reported through 'close' with the exit status instead
    child.stdin.end(text);
  });
}

// espeak-ng through the Debian CLI: the fallback when the WebAssembly build cannot be loaded.
import { spawn } from 'node:child_process';
import { SynthesisError } from '#errors';
import type { Pcm } from './espeak-wasm.ts';

export class EspeakCliError extends SynthesisError {
  override name = 'EspeakCliError';
}

const TIMEOUT_MS = 15_000;

/**
 * Runs `espeak-ng -v <voice> --stdout` with the text on stdin: an argument array and no shell, and stdin rather than
 * argv so text starting with "-" can never be read as an option. Without `-m`, the CLI does not interpret SSML.
 */
export function synthesizeWithCli(text: string, voice: string, binary = 'espeak-ng'): Promise<Pcm> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-v', voice, '--stdout'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
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

/** Reads 16-bit mono PCM from a WAV. espeak-ng streams to stdout, so RIFF and data sizes are placeholders. */
export function parseWav(wav: Buffer): Pcm {
  if (wav.length < 12 || wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') {
    throw new EspeakCliError('not a RIFF/WAVE stream');
  }
  let sampleRate = 0;
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const channels = wav.readUInt16LE(body + 2);
      const bits = wav.readUInt16LE(body + 14);
      if (channels !== 1 || bits !== 16) throw new EspeakCliError(`unexpected WAV format: ${channels} ch, ${bits} bit`);
      sampleRate = wav.readUInt32LE(body + 4);
    } else if (id === 'data') {
      if (!sampleRate) throw new EspeakCliError('WAV data chunk before fmt chunk');
      // The data chunk is last; trust the bytes we actually received over the placeholder size.
      const end = wav.length - ((wav.length - body) % 2);
      const bytes = wav.subarray(body, end);
      const samples = new Int16Array(bytes.length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      return { samples, sampleRate };
    }
    offset = body + size + (size % 2);
  }
  throw new EspeakCliError('WAV has no data chunk');
}

// Markup neutralisation and WAV parsing for the espeak-ng adapter.
import { describe, expect, it } from 'vitest';
import { espeakSafeText } from '#adapters/espeak';
import { parseWav } from '#adapters/wav';

describe('espeakSafeText', () => {
  it('escapes SSML metacharacters for the WASM build and disables [[phoneme]] input', () => {
    expect(espeakSafeText('a <break time="5s"/> & [[h@l@U]]', { ssml: true })).toBe(
      'a &lt;break time="5s"/&gt; &amp; ((h@l@U))',
    );
    expect(espeakSafeText('a <b> [[x]]\u0007', { ssml: false })).toBe('a <b> ((x)) ');
  });
});

describe('parseWav', () => {
  it('reads the data chunk despite placeholder sizes', () => {
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'ascii');
    header.writeUInt32LE(0xffffffff, 4);
    header.write('WAVEfmt ', 8, 'ascii');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(22050, 24);
    header.writeUInt32LE(44100, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'ascii');
    header.writeUInt32LE(0xffffffff, 40);
    const body = Buffer.alloc(6);
    body.writeInt16LE(1, 0);
    body.writeInt16LE(-2, 2);
    body.writeInt16LE(300, 4);
    const pcm = parseWav(Buffer.concat([header, body]));
    expect(pcm.sampleRate).toBe(22050);
    expect([...pcm.samples]).toEqual([1, -2, 300]);
  });
});

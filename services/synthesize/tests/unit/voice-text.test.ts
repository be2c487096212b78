// What the local voices are given to read (festival's Latin-1, Pico's markup) and the silence cut around speech.
import { describe, expect, it } from 'vitest';
import { toLatin1Text } from '#adapters/festival';
import { picoSafeText } from '#adapters/pico';
import { trimSilence } from '#adapters/speech-output';

describe('toLatin1Text', () => {
  it('keeps Catalan as it is: apostrophes, accents, the middle dot', () => {
    expect(toLatin1Text("L'àudio, què? Col·legi i Ça va.")).toBe("L'àudio, què? Col·legi i Ça va.");
  });

  it('composes decomposed accents into their Latin-1 letters', () => {
    expect(toLatin1Text('que\u0300 nin\u0303o')).toBe('què niño');
  });

  it('respells typographic punctuation and symbols Latin-1 lacks', () => {
    expect(toLatin1Text('l’àudio “bo” — 5 € … œuvre')).toBe('l\'àudio "bo" ,  5  euros  ... oeuvre');
    expect(toLatin1Text('i\u0140lusió')).toBe('il·lusió');
  });

  it('strips accents Latin-1 lacks and replaces what it cannot spell', () => {
    expect(toLatin1Text('Łódź Dvořák 東京')).toBe('Lódz Dvorák   ');
    expect([...toLatin1Text('Łódź Dvořák 東京 🙂')].every((c) => (c.codePointAt(0) ?? 0) <= 0xff)).toBe(true);
  });

  it('turns control characters into spaces', () => {
    expect(toLatin1Text('a\u0000b\nc\u0085d')).toBe('a b c d');
  });
});

describe('picoSafeText', () => {
  it('neutralises the angle brackets of Pico tags and control characters', () => {
    expect(picoSafeText('uno <break time="5s"/> dos\u0007')).toBe('uno (break time="5s"/) dos ');
  });
});

describe('trimSilence', () => {
  const rate = 1000; // one sample per millisecond keeps the arithmetic readable

  it('keeps a short margin of silence around the speech', () => {
    const samples = new Int16Array(2000);
    samples.fill(5000, 500, 1000);
    const trimmed = trimSilence({ samples, sampleRate: rate }, { leadMs: 60, tailMs: 200 });
    expect(trimmed.samples.length).toBe(60 + 500 + 200);
    expect(trimmed.sampleRate).toBe(rate);
  });

  it('keeps margins inside the audio and leaves all-silent audio alone', () => {
    const speech = new Int16Array(300).fill(-4000);
    expect(trimSilence({ samples: speech, sampleRate: rate }).samples.length).toBe(300);
    const silent = new Int16Array(300);
    expect(trimSilence({ samples: silent, sampleRate: rate }).samples.length).toBe(300);
  });
});

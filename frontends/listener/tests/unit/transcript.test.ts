import { describe, expect, it } from 'vitest';
import { type TranscriptLine, timestamp, toCues, toSrt, toTxt, toVtt } from '../../src/lib/transcript.ts';

const T0 = 1_700_000_000_000;

const lines: TranscriptLine[] = [
  { segmentIndex: 1, text: 'La reunión empezará en cinco minutos.', captureStart: T0, captureEnd: T0 + 2350 },
  { segmentIndex: 2, text: 'Por favor, siéntense.', captureStart: T0 + 3000, captureEnd: T0 + 4125.6 },
];

describe('transcript formats', () => {
  it('writes SRT with numbered cues, comma milliseconds and a blank line after each cue', () => {
    expect(toSrt(lines)).toBe(
      '1\n00:00:00,000 --> 00:00:02,350\nLa reunión empezará en cinco minutos.\n\n' +
        '2\n00:00:03,000 --> 00:00:04,126\nPor favor, siéntense.\n\n',
    );
  });

  it('writes WebVTT with the header and dot milliseconds', () => {
    expect(toVtt(lines)).toBe(
      'WEBVTT\n\n' +
        '1\n00:00:00.000 --> 00:00:02.350\nLa reunión empezará en cinco minutos.\n\n' +
        '2\n00:00:03.000 --> 00:00:04.126\nPor favor, siéntense.\n',
    );
  });

  it('writes plain text one sentence per line', () => {
    expect(toTxt(lines)).toBe('La reunión empezará en cinco minutos.\nPor favor, siéntense.\n');
  });

  it('handles an empty transcript', () => {
    expect(toTxt([])).toBe('');
    expect(toSrt([])).toBe('');
    expect(toVtt([])).toBe('WEBVTT\n');
  });

  it('orders by segment index and numbers cues from 1, leaving out empty sentences', () => {
    const cues = toCues([
      { segmentIndex: 9, text: 'tercera', captureStart: T0 + 9000, captureEnd: T0 + 10_000 },
      { segmentIndex: 4, text: 'primera', captureStart: T0 + 1000, captureEnd: T0 + 2000 },
      { segmentIndex: 5, text: '   ', captureStart: T0 + 3000, captureEnd: T0 + 4000 },
      { segmentIndex: 7, text: 'segunda', captureStart: T0 + 5000, captureEnd: T0 + 6000 },
    ]);
    expect(cues.map((c) => [c.number, c.text, c.startMs])).toEqual([
      [1, 'primera', 0],
      [2, 'segunda', 4000],
      [3, 'tercera', 8000],
    ]);
  });

  it('starts a cue without captureStart where the previous cue ended', () => {
    const cues = toCues([
      { segmentIndex: 1, text: 'uno', captureStart: T0, captureEnd: T0 + 1500 },
      { segmentIndex: 2, text: 'dos', captureEnd: T0 + 4000 },
    ]);
    expect(cues[1]).toMatchObject({ startMs: 1500, endMs: 4000 });
  });

  it('gives a first cue without captureStart a start before its end', () => {
    const cues = toCues([{ segmentIndex: 0, text: 'hola', captureEnd: T0 + 5000 }]);
    expect(cues[0]).toMatchObject({ startMs: 0, endMs: 2000 });
  });

  it('keeps each caption on one line and escapes WebVTT markup', () => {
    const vtt = toVtt([{ segmentIndex: 0, text: 'a <b> &\n\nc --> d', captureStart: T0, captureEnd: T0 + 1000 }]);
    expect(vtt).toContain('\na &lt;b&gt; &amp; c --&gt; d\n');
    const srt = toSrt([{ segmentIndex: 0, text: 'line one\n\nline two', captureStart: T0, captureEnd: T0 + 1000 }]);
    expect(srt).toContain('\nline one line two\n\n');
  });

  it('formats timestamps past an hour', () => {
    expect(timestamp(3_723_004, ',')).toBe('01:02:03,004');
    expect(timestamp(360_000_000, '.')).toBe('100:00:00.000');
  });
});

import { describe, expect, it } from 'vitest';
import { speechBounds } from '../../src/lib/speech-bounds.ts';

const RATE = 1000;

function clipWithSound(length: number, from: number, to: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = from; i < to; i++) data[i] = i % 2 ? 0.3 : -0.3;
  return data;
}

describe('speechBounds', () => {
  it('keeps the voiced part with a margin before and after', () => {
    const bounds = speechBounds([clipWithSound(2000, 300, 1500)], RATE, {
      threshold: 0.01,
      leadMarginS: 0.05,
      tailMarginS: 0.2,
    });
    expect(bounds.offset).toBeCloseTo(0.25);
    expect(bounds.offset + bounds.duration).toBeCloseTo(1.7);
  });

  it('never goes past either end of the clip', () => {
    const bounds = speechBounds([clipWithSound(1000, 0, 1000)], RATE);
    expect(bounds).toEqual({ offset: 0, duration: 1 });
  });

  it('plays a silent clip whole', () => {
    expect(speechBounds([new Float32Array(500)], RATE)).toEqual({ offset: 0, duration: 0.5 });
  });

  it('takes the widest span over all channels', () => {
    const bounds = speechBounds([clipWithSound(2000, 500, 900), clipWithSound(2000, 400, 1200)], RATE, {
      threshold: 0.01,
      leadMarginS: 0,
      tailMarginS: 0,
    });
    expect(bounds.offset).toBeCloseTo(0.4);
    expect(bounds.duration).toBeCloseTo(0.8);
  });
});

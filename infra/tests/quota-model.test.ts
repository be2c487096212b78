// The quotas table: what each service sees as sessions, listeners and languages grow, against a fresh account's
// defaults, from the cost model's assumptions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT } from '../src/config.ts';
import { ASSUMPTIONS } from '../src/cost-model.ts';
import { loadRates, QUOTAS, quotasToRaise, quotaTables } from '../src/quota-model.ts';

test('one Transcribe stream per live session; Translate and Polly calls per sentence and language', () => {
  const load = loadRates(10, 100, 4);
  expect(load.rates.transcribeStreams).toBe(10);
  const sentencesPerSecond = ASSUMPTIONS.sentencesPerHour / 3600;
  expect(load.rates.translateTps).toBeCloseTo(10 * 4 * sentencesPerSecond, 9);
  expect(load.rates.pollyTps).toBe(load.rates.translateTps);
  expect(loadRates(10, 500, 4).rates.translateTps).toBe(load.rates.translateTps);
});

test('listeners drive PostToConnection; audio drives Kinesis, one read per record', () => {
  const few = loadRates(10, 100, 4);
  const many = loadRates(10, 500, 4);
  expect(many.rates.postToConnection / few.rates.postToConnection).toBeGreaterThan(4.9);
  expect(many.rates.kinesisIn).toBe(few.rates.kinesisIn);
  // 16 kHz, 16-bit mono: 32 kB/s per session.
  expect(few.rates.kinesisIn).toBeCloseTo(0.32, 6);
  expect(few.rates.kinesisOut).toBe(few.rates.kinesisIn);
  expect(many.rates.lambdaConcurrency).toBeGreaterThan(few.rates.lambdaConcurrency);
});

test('one session fits a fresh account; ten need neural Polly raised; a hundred also Transcribe and API Gateway', () => {
  expect(quotasToRaise(loadRates(1, 500, 4))).toEqual([]);
  expect(quotasToRaise(loadRates(10, 100, 4))).toEqual(['pollyTps']);
  expect(quotasToRaise(loadRates(100, 500, 4)).sort()).toEqual(
    ['pollyTps', 'postToConnection', 'transcribeStreams'].sort(),
  );
  // Lambda's default concurrency holds even at a hundred sessions of 500 listeners.
  expect(loadRates(100, 500, 4).rates.lambdaConcurrency).toBeLessThan(QUOTAS.lambdaConcurrency.limit);
});

test('every default names the AWS page it comes from', () => {
  for (const quota of Object.values(QUOTAS)) expect(quota.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
});

test('prints a row per load, the defaults, and the quotas with their sources', () => {
  const table = quotaTables([1, 10, 100], [100, 500], 4);
  const rows = table.split('\n').filter((l) => /^\| \d+ \| \d+ \|/.test(l));
  expect(rows).toHaveLength(6);
  expect(table).toContain('| default quota |');
  expect(table).toContain(QUOTAS.pollyTps.source);
  // Over a default is shown in bold.
  expect(rows[4]).toContain('**100**');
});

test("the README's quotas table is the model's output", () => {
  const readme = readFileSync(join(REPO_ROOT, 'infra', 'README.md'), 'utf8');
  expect(readme).toContain(quotaTables([1, 10, 100], [100, 500], 4));
});

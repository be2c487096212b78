// The cost model behind the README's table: what scales with languages, what with listeners, what is fixed.
import { expect, test } from 'vitest';
import { ASSUMPTIONS, costPerSessionHour, PRICES } from '../src/cost-model.ts';

test('translation and speech scale with the languages; recognition does not', () => {
  const one = costPerSessionHour(1, 100);
  const four = costPerSessionHour(4, 100);
  expect(four.lines.Translate).toBeCloseTo(4 * (one.lines.Translate ?? 0), 6);
  expect(four.lines['Polly (neural)']).toBeCloseTo(4 * (one.lines['Polly (neural)'] ?? 0), 6);
  expect(four.lines['Transcribe streaming']).toBe(one.lines['Transcribe streaming']);
});

test('listeners cost WebSocket messages and bytes out, not recognition or translation', () => {
  const few = costPerSessionHour(2, 10);
  const many = costPerSessionHour(2, 500);
  expect(many.lines['API Gateway WebSocket']).toBeGreaterThan(10 * (few.lines['API Gateway WebSocket'] ?? 0));
  expect(many.lines['Data transfer out']).toBeCloseTo(50 * (few.lines['Data transfer out'] ?? 0), 6);
  expect(many.lines.Translate).toBe(few.lines.Translate);
});

test('the language services are most of the bill; the serverless plumbing is cents', () => {
  const cost = costPerSessionHour(2, 100);
  const engines =
    (cost.lines['Transcribe streaming'] ?? 0) + (cost.lines.Translate ?? 0) + (cost.lines['Polly (neural)'] ?? 0);
  expect(engines / cost.total).toBeGreaterThan(0.8);
  expect(cost.total - engines).toBeLessThan(1);
});

test('the transcription workers are a fixed fleet: their share of a session-hour shrinks with the sessions sharing it', () => {
  const cost = costPerSessionHour(1, 100);
  const workers = cost.lines['Fargate (transcription workers)'] ?? 0;
  const fleetHour =
    ASSUMPTIONS.workerTasks *
    (ASSUMPTIONS.workerVcpu * PRICES.fargateArmPerVcpuHour +
      ASSUMPTIONS.workerGb * PRICES.fargateArmPerGbHour +
      PRICES.publicIpv4PerHour);
  expect(workers).toBeCloseTo(fleetHour / ASSUMPTIONS.sessionsSharingWorkers, 9);
  // Two always-on tasks: about 5 cents an hour for the whole fleet, under a cent per session at 10 sessions.
  expect(fleetHour).toBeLessThan(0.06);
  expect(workers).toBeLessThan(0.01);
  expect(costPerSessionHour(4, 500).lines['Fargate (transcription workers)']).toBe(workers);
});

test('DynamoDB counts two ledger writes per audio frame and the partial turn of every partial caption', () => {
  const few = costPerSessionHour(1, 10);
  const many = costPerSessionHour(1, 1_000);
  const ledger = ((ASSUMPTIONS.framesPerHour * 2) / 1e6) * PRICES.dynamoPerMillionWrites;
  const turns =
    ((ASSUMPTIONS.sentencesPerHour * (ASSUMPTIONS.partialsPerSentence * 3 + 1)) / 1e6) * PRICES.dynamoPerMillionWrites;
  expect(few.lines.DynamoDB).toBeGreaterThan(ledger + turns);
  // A thousand listeners read the newest partial 5 times per fan-out instead of once: more, but still cents.
  expect(many.lines.DynamoDB).toBeGreaterThan(few.lines.DynamoDB ?? 0);
  expect(many.lines.DynamoDB).toBeLessThan(0.2);
});

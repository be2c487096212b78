// The cost model behind the README's table: what scales with languages, what with listeners, what is fixed.
import { expect, test } from 'vitest';
import { ASSUMPTIONS, costPerSessionHour, PRICES, WHILE_SPEAKING } from '../src/cost-model.ts';

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
  const cost = costPerSessionHour(2, 100, { provisional: false });
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

test('translating while the speaker talks translates every source character once more (the increments; clauses and finals read the memo), in lines of its own', () => {
  const off = costPerSessionHour(2, 100, { provisional: false });
  const on = costPerSessionHour(2, 100);
  expect(off.whileSpeaking).toBe(0);
  expect(Object.keys(off.lines).some((line) => line.startsWith(WHILE_SPEAKING))).toBe(false);
  // The rest of the bill is the same with the feature on or off.
  for (const [line, value] of Object.entries(off.lines)) expect(on.lines[line], line).toBe(value);
  expect(on.lines[`${WHILE_SPEAKING}Translate`]).toBeCloseTo(off.lines.Translate ?? 0, 9);
  const extra = Object.entries(on.lines)
    .filter(([line]) => line.startsWith(WHILE_SPEAKING))
    .reduce((sum, [, value]) => sum + value, 0);
  expect(on.whileSpeaking).toBeCloseTo(extra, 9);
  expect(on.total).toBeCloseTo(off.total + extra, 9);
  // About $0.81 of Translate per language-hour, plus a few cents of plumbing and the listeners' messages.
  expect(costPerSessionHour(1, 10).whileSpeaking).toBeGreaterThan(0.81);
  expect(costPerSessionHour(1, 10).whileSpeaking).toBeLessThan(0.95);
});

test("while speaking, translate's memo costs a write per increment and a read per clause and per final, per language", () => {
  const a = ASSUMPTIONS;
  // One language, 10 listeners: notify's four writes per increment, the listeners read by the languages task and
  // notify, the newest partial read once per increment; and the memo.
  const notify =
    ((a.incrementsPerHour * a.provisionalWritesPerIncrement) / 1e6) * PRICES.dynamoPerMillionWrites +
    ((a.incrementsPerHour * 2 + a.incrementsPerHour) / 1e6) * PRICES.dynamoPerMillionReads;
  const memo =
    ((a.incrementsPerHour * 1) / 1e6) * PRICES.dynamoPerMillionWrites +
    ((a.clausesPerHour + a.sentencesPerHour) / 1e6) * PRICES.dynamoPerMillionReads;
  expect(costPerSessionHour(1, 10).lines[`${WHILE_SPEAKING}DynamoDB`]).toBeCloseTo(notify + memo, 12);
  // Fractions of a cent per language-hour, against $0.81 of characters it saves.
  expect(memo).toBeLessThan(0.01);
});

test('while speaking: one Express execution per increment of ~2.5 words, and one provisional caption per listener each', () => {
  // 150 words a minute in increments of 2–3 words: 60–75 increments a minute.
  expect(ASSUMPTIONS.incrementsPerHour / 60).toBeGreaterThanOrEqual(60);
  expect(ASSUMPTIONS.incrementsPerHour / 60).toBeLessThanOrEqual(75);
  const few = costPerSessionHour(1, 10);
  const many = costPerSessionHour(4, 500);
  expect(few.lines[`${WHILE_SPEAKING}Step Functions (Express)`]).toBeCloseTo(
    (ASSUMPTIONS.incrementsPerHour / 1e6) * PRICES.expressWorkflowPerMillionRequests +
      ASSUMPTIONS.incrementsPerHour * ASSUMPTIONS.workflowGbSeconds * PRICES.expressWorkflowPerGbSecond,
    9,
  );
  // The same execution for any number of languages; events and invocations grow with them.
  expect(many.lines[`${WHILE_SPEAKING}Step Functions (Express)`]).toBe(
    few.lines[`${WHILE_SPEAKING}Step Functions (Express)`],
  );
  expect(many.lines[`${WHILE_SPEAKING}EventBridge`]).toBeCloseTo(
    ((ASSUMPTIONS.incrementsPerHour * 5) / 1e6) * PRICES.eventBridgePerMillionEvents,
    9,
  );
  // Invocations: per increment the languages task, then translate and notify per language (3 for one, 9 for
  // four); per clause synthesize and notify per language.
  const invocations = (languages: number) =>
    ASSUMPTIONS.incrementsPerHour * (1 + 2 * languages) + ASSUMPTIONS.clausesPerHour * 2 * languages;
  expect(many.lines[`${WHILE_SPEAKING}Lambda`]! / few.lines[`${WHILE_SPEAKING}Lambda`]!).toBeCloseTo(
    invocations(4) / invocations(1),
    9,
  );
  // Listeners: a message per increment and per clause each, whatever their language.
  expect(many.lines[`${WHILE_SPEAKING}API Gateway WebSocket`]).toBeCloseTo(
    (((ASSUMPTIONS.incrementsPerHour + ASSUMPTIONS.clausesPerHour) * 500) / 1e6) * PRICES.websocketPerMillionMessages,
    9,
  );
  // Listeners fetch every clause's audio.
  expect(many.lines[`${WHILE_SPEAKING}S3`]).toBeCloseTo(
    ((ASSUMPTIONS.clausesPerHour * 4) / 1000) * PRICES.s3PerThousandPuts +
      ((ASSUMPTIONS.clausesPerHour * 500) / 1000) * PRICES.s3PerThousandGets,
    9,
  );
  // Everything but Translate, the listeners' messages and fetches stays cents, even at 4 languages, 500 listeners.
  const plumbing =
    many.whileSpeaking -
    (many.lines[`${WHILE_SPEAKING}Translate`] ?? 0) -
    (many.lines[`${WHILE_SPEAKING}API Gateway WebSocket`] ?? 0) -
    (many.lines[`${WHILE_SPEAKING}S3`] ?? 0);
  expect(plumbing).toBeGreaterThan(0.05);
  expect(plumbing).toBeLessThan(0.2);
});

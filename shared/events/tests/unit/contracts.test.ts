// Contract tests: golden samples, snapshot compatibility and the naming/correlation rules every event follows.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { breakingChanges, type JsonSchema } from '../../src/compat.ts';
import {
  AUDIO_RECORD_CONTRACT_NAME,
  CONTRACTS,
  contractJsonSchema,
  isSampleOf,
  snapshotFileName,
} from '../../src/contracts.ts';
import { type EventDefinition, patternFor, registryName } from '../../src/events/define.ts';
import { ALL_EVENTS } from '../../src/events/registry.ts';
import { AudioRecordHeaderV1 } from '../../src/protocol/audio-record.ts';

const samplesDir = new URL('../../samples/', import.meta.url);
const contractsDir = new URL('../../contracts/', import.meta.url);
const eventsDir = new URL('../../src/events/', import.meta.url);
const UPDATE_HINT = 'run `npm run contracts:update` and commit the snapshot';

const sampleFiles = readdirSync(samplesDir).filter((file) => file.endsWith('.json'));
const readJson = (dir: URL, file: string): unknown => JSON.parse(readFileSync(new URL(file, dir), 'utf8'));

type ObjectSchema = { properties: Record<string, { const?: unknown; properties?: object; required?: string[] }> };
const jsonSchemaOf = (def: EventDefinition) =>
  contractJsonSchema({ name: registryName(def), schema: def.schema, root: 'detail' }) as ObjectSchema & {
    required: string[];
  };

/** Events computed from speech: they must say which utterance and which audio they came from. */
const AUDIO_DERIVED = ['TranscriptPartial', 'TranscriptFinalized', 'TranslationReady', 'SpeechSynthesized'];

describe('golden samples', () => {
  it.each(ALL_EVENTS.map(registryName))('%s has a sample named after it', (name) => {
    expect(sampleFiles).toContain(`${name}.json`);
  });

  it.each(sampleFiles)('%s belongs to exactly one contract and parses with its schema', (file) => {
    const owners = CONTRACTS.filter((contract) => isSampleOf(contract, file));
    expect(owners.map((c) => c.name)).toHaveLength(1);
    const result = owners[0]!.schema.safeParse(readJson(samplesDir, file));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('cover every kind of audio record header', () => {
    const kinds = AudioRecordHeaderV1.options.map((option) => option.shape.kind.value);
    for (const kind of kinds) {
      const header = AudioRecordHeaderV1.parse(readJson(samplesDir, `${AUDIO_RECORD_CONTRACT_NAME}.${kind}.json`));
      expect(header.kind).toBe(kind);
    }
  });

  it.each(sampleFiles.filter((file) => file.startsWith('llt.')))(
    '%s has its capture span before the moment it occurred',
    (file) => {
      const detail = readJson(samplesDir, file) as { capture?: { start: number; end: number }; occurredAt: number };
      if (!detail.capture) return;
      expect(detail.capture.start).toBeLessThan(detail.capture.end);
      expect(detail.capture.end).toBeLessThan(detail.occurredAt);
    },
  );
});

describe('committed JSON Schema snapshots', () => {
  it.each(CONTRACTS.map((c) => [c.name, c] as const))('%s has not broken its snapshot', (_name, contract) => {
    const file = snapshotFileName(contract);
    expect(existsSync(new URL(file, contractsDir)), `contracts/${file} is missing: ${UPDATE_HINT}`).toBe(true);
    const snapshot = readJson(contractsDir, file) as JsonSchema;
    const changes = breakingChanges(snapshot, contractJsonSchema(contract), contract.root);
    expect(changes, `breaking changes need a new major version (${contract.name.replace(/v\d+$/, 'v<n+1>')})`).toEqual(
      [],
    );
  });

  it('exist only for contracts that are still published', () => {
    const snapshots = readdirSync(contractsDir).filter((file) => file.endsWith('.schema.json'));
    expect(snapshots.sort()).toEqual(CONTRACTS.map(snapshotFileName).sort());
  });
});

describe('event definitions', () => {
  it('have unique registry names', () => {
    const names = ALL_EVENTS.map(registryName);
    expect(new Set(names).size).toBe(names.length);
  });

  describe.each(ALL_EVENTS.map((def) => [registryName(def), def] as const))('%s', (name, def) => {
    it('lives in a file named after its registry name', () => {
      expect(existsSync(new URL(`${name}.ts`, eventsDir))).toBe(true);
    });

    it('has an llt.<service> source and a PascalCase detail-type', () => {
      expect(def.source).toMatch(/^llt\.[a-z]+$/);
      expect(def.detailType).toMatch(/^(?:[A-Z][a-z0-9]+)+$/);
      expect(Number.isInteger(def.version) && def.version >= 1).toBe(true);
    });

    it('carries its major version as the detail.v literal', () => {
      const schema = jsonSchemaOf(def);
      expect(schema.properties.v?.const).toBe(def.version);
      expect(schema.required).toContain('v');
    });

    it('requires the session id and the moment it occurred', () => {
      expect(jsonSchemaOf(def).required).toEqual(expect.arrayContaining(['sessionId', 'occurredAt']));
    });

    it('is matched by patternFor on source, detail-type and version', () => {
      expect(patternFor(def)).toEqual({
        source: [def.source],
        'detail-type': [def.detailType],
        detail: { v: [def.version] },
      });
    });
  });

  it('include every audio-derived event listed here', () => {
    expect(ALL_EVENTS.map((def) => def.detailType)).toEqual(expect.arrayContaining(AUDIO_DERIVED));
  });

  it.each(
    ALL_EVENTS.filter((def) => AUDIO_DERIVED.includes(def.detailType)).map((def) => [registryName(def), def] as const),
  )('%s requires the segment id and the capture span of its audio', (_name, def) => {
    const schema = jsonSchemaOf(def);
    expect(schema.required).toEqual(expect.arrayContaining(['segmentId', 'capture']));
    expect(schema.properties.capture?.required).toEqual(expect.arrayContaining(['start', 'end']));
  });
});

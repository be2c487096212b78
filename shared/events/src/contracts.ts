// The contracts with committed JSON-Schema snapshots (every event version and the Kinesis audio record header),
// and how a snapshot is produced, shared by scripts/update-snapshots.ts and the contract tests.
import { z } from 'zod';
import type { JsonSchema } from './compat.ts';
import { registryName } from './events/define.ts';
import { ALL_EVENTS } from './events/registry.ts';
import { AudioRecordHeaderV1 } from './protocol/audio-record.ts';

export interface Contract {
  /** Registry name; the snapshot is `contracts/<name>.schema.json`, samples are `samples/<name>[.<variant>].json`. */
  readonly name: string;
  readonly schema: z.ZodType;
  /** Where the schema sits in a message, used as the root of paths in compatibility reports. */
  readonly root: 'detail' | 'header';
}

export const AUDIO_RECORD_CONTRACT_NAME = 'audio-record.v1';

export const CONTRACTS: readonly Contract[] = [
  ...ALL_EVENTS.map((def) => ({ name: registryName(def), schema: def.schema, root: 'detail' as const })),
  { name: AUDIO_RECORD_CONTRACT_NAME, schema: AudioRecordHeaderV1, root: 'header' },
];

export function snapshotFileName(contract: Contract): string {
  return `${contract.name}.schema.json`;
}

/** The JSON Schema committed for a contract: zod's own draft 2020-12 output, nothing added. */
export function contractJsonSchema(contract: Contract): JsonSchema {
  return z.toJSONSchema(contract.schema) as JsonSchema;
}

/** True when a sample file (`<name>.json` or `<name>.<variant>.json`) belongs to the contract. */
export function isSampleOf(contract: Contract, fileName: string): boolean {
  if (!fileName.startsWith(contract.name)) return false;
  return /^(\.[a-z0-9-]+)?\.json$/.test(fileName.slice(contract.name.length));
}

// Regenerates contracts/<name>.schema.json from the current zod schemas (`npm run contracts:update`).
// A snapshot is what consumers were promised, so a breaking change is refused: publish a new major version side by
// side instead. `--allow-breaking` overwrites anyway (for a version no one consumes yet).
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { breakingChanges, type JsonSchema } from '../src/compat.ts';
import { CONTRACTS, contractJsonSchema, snapshotFileName } from '../src/contracts.ts';

const contractsDir = fileURLToPath(new URL('../contracts/', import.meta.url));
const allowBreaking = process.argv.includes('--allow-breaking');

async function readSnapshot(path: string): Promise<JsonSchema | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as JsonSchema;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function main(): Promise<number> {
  await mkdir(contractsDir, { recursive: true });
  let refused = 0;
  for (const contract of CONTRACTS) {
    const file = snapshotFileName(contract);
    const path = join(contractsDir, file);
    const current = contractJsonSchema(contract);
    const text = `${JSON.stringify(current, null, 2)}\n`;
    const previous = await readSnapshot(path);
    if (previous === undefined) {
      await writeFile(path, text);
      console.log(`created   ${file}`);
      continue;
    }
    if (`${JSON.stringify(previous, null, 2)}\n` === text) {
      console.log(`unchanged ${file}`);
      continue;
    }
    const breaking = breakingChanges(previous, current, contract.root);
    if (breaking.length > 0 && !allowBreaking) {
      refused++;
      console.error(`REFUSED   ${file}: breaking changes need a new major version`);
      for (const change of breaking) console.error(`            ${change}`);
      continue;
    }
    await writeFile(path, text);
    console.log(`updated   ${file}${breaking.length > 0 ? ` (${breaking.length} breaking change(s) allowed)` : ''}`);
  }

  const known = new Set(CONTRACTS.map(snapshotFileName));
  for (const file of await readdir(contractsDir)) {
    if (file.endsWith('.schema.json') && !known.has(file)) {
      console.warn(`stale     ${file}: no contract has this name; delete it once no consumer needs that version`);
    }
  }
  if (refused > 0) console.error(`\n${refused} snapshot(s) not updated; rerun with --allow-breaking to overwrite.`);
  return refused > 0 ? 1 : 0;
}

process.exitCode = await main();

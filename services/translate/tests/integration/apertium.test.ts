// Integration tests of ApertiumTranslator against the installed Debian Apertium pairs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApertiumTranslator, cleanApertiumOutput, escapeForApertium } from '#adapters/apertium';
import { TranslationEngineError, UnsupportedLanguagePairError } from '#errors';

/** Process-group ids that still have a running member; zombies are dead, merely not yet reaped by init. */
function liveGroups(): Set<number> {
  const out = execFileSync('ps', ['-e', '-o', 'pgid=,stat='], { encoding: 'utf8' });
  const groups = new Set<number>();
  for (const line of out.split('\n')) {
    const [pgid, stat] = line.trim().split(/\s+/);
    if (pgid && stat && !stat.startsWith('Z')) groups.add(Number(pgid));
  }
  return groups;
}

async function waitUntil(check: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('ApertiumTranslator (real engine)', () => {
  const translator = new ApertiumTranslator();

  beforeAll(async () => {
    await translator.warm(['es', 'ca', 'gl', 'eo']);
  });
  afterAll(async () => {
    await translator.close();
  });

  it('names the engine after the mode', () => {
    expect(translator.name('es')).toBe('apertium:eng-spa');
    expect(translator.name('eo')).toBe('apertium:en-eo');
  });

  it('translates to Spanish', async () => {
    const out = await translator.translate('Good morning everyone.', 'en', 'es');
    expect(out.toLowerCase()).toContain('buenos días');
    expect(out.toLowerCase()).toContain('mundo');
  });

  it.each(['ca', 'gl', 'eo'])('translates to %s', async (lang) => {
    const input = 'Good morning everyone. The weather is nice today.';
    const out = await translator.translate(input, 'en', lang);
    expect(out).not.toBe('');
    expect(out).not.toBe(input);
    expect(out).not.toMatch(/[\0\n]/);
  });

  it('keeps 20 concurrent sentences in order', async () => {
    const numbers = Array.from({ length: 20 }, (_, i) => 100 + i * 7);
    const outs = await Promise.all(
      numbers.map((n) => translator.translate(`The house number ${n} has a red door.`, 'en', 'es')),
    );
    outs.forEach((out, i) => {
      expect(out).toMatch(new RegExp(`\\b${numbers[i]}\\b`));
      expect(out.toLowerCase()).toContain('casa');
    });
  });

  it('survives stream-format special characters', async () => {
    const out = await translator.translate('The cat [a] {b} ^c$ @d <e> /f\\ sleeps.', 'en', 'es');
    for (const piece of ['{b}', '^c$', '@d', '<e>', '/f\\']) expect(out).toContain(piece);
    expect(out.toLowerCase()).toContain('gato');
    const next = await translator.translate('Good morning everyone.', 'en', 'es');
    expect(next.toLowerCase()).toContain('buenos días');
  });

  it('flattens newlines and NULs instead of desynchronising the stream', async () => {
    const out = await translator.translate('Good morning\neveryone.\0 The dog\r\nsleeps.', 'en', 'es');
    expect(out.toLowerCase()).toContain('buenos días');
    expect(out.toLowerCase()).toContain('perro');
    const next = await translator.translate('The house is big.', 'en', 'es');
    expect(next.toLowerCase()).toContain('casa');
  });

  it('keeps unknown words without marks', async () => {
    const out = await translator.translate('Frobnicatex is here.', 'en', 'es');
    expect(out).toContain('Frobnicatex');
    expect(out).not.toMatch(/[*#@]/);
  });

  it('returns empty for blank text without touching the pipeline', async () => {
    expect(await translator.translate('  \n ', 'en', 'es')).toBe('');
  });

  it('restarts a killed pipeline', async () => {
    const before = translator.pids()['eng-spa'];
    expect(before).toBeDefined();
    process.kill(before as number, 'SIGKILL');
    // The death is noticed asynchronously; until then a request may still land on the dying chain and fail.
    await waitUntil(() => translator.pids()['eng-spa'] !== before);
    const out = await translator.translate('Good morning everyone.', 'en', 'es');
    expect(out.toLowerCase()).toContain('buenos días');
    expect(translator.pids()['eng-spa']).not.toBe(before);
    // Killing only bash would orphan the stages; the whole group must be gone.
    expect(await waitUntil(() => !liveGroups().has(before as number))).toBe(true);
  });

  it('rejects unknown languages and non-English sources', async () => {
    await expect(translator.translate('Hello.', 'en', 'xx')).rejects.toBeInstanceOf(UnsupportedLanguagePairError);
    await expect(translator.translate('Hola.', 'es', 'ca')).rejects.toBeInstanceOf(UnsupportedLanguagePairError);
    expect(() => translator.name('xx')).toThrow(UnsupportedLanguagePairError);
  });

  it('prints warm latency per pair', async () => {
    const sentences = [
      'Good morning everyone.',
      'Today we will talk about the history of the city.',
      'Please open your books at page twenty.',
      'The meeting starts at nine in the morning.',
    ];
    for (const lang of ['es', 'ca', 'gl', 'eo']) {
      const times: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        await translator.translate(sentences[i % sentences.length] as string, 'en', lang);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const p50 = times[Math.floor(times.length / 2)] as number;
      const p95 = times[Math.floor(times.length * 0.95)] as number;
      console.log(`apertium ${translator.name(lang)} warm p50=${p50.toFixed(2)}ms p95=${p95.toFixed(2)}ms`);
    }
  });
});

describe('ApertiumTranslator failure handling', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apertium-test-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the Debian package when the mode file is missing', async () => {
    const t = new ApertiumTranslator({ modesDir: join(dir, 'nowhere') });
    const error = await t.translate('Hello.', 'en', 'es').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedLanguagePairError);
    expect((error as Error).message).toContain('apertium-eng-spa');
    await t.close();
  });

  it('times out a stuck pipeline, naming the pair, and restarts it', async () => {
    const modes = join(dir, 'stuck');
    execFileSync('mkdir', ['-p', modes]);
    // Reads its input and never answers; wblank-mode turns it into `tail -z -f /dev/null`.
    writeFileSync(join(modes, 'eng-spa.mode'), 'tail -f /dev/null\n');
    const t = new ApertiumTranslator({ modesDir: modes, sentenceTimeoutMs: 200, startupAllowanceMs: 0 });
    const first = t.translate('Hello.', 'en', 'es').catch((e: unknown) => e);
    const error = await first;
    expect(error).toBeInstanceOf(TranslationEngineError);
    expect((error as Error).message).toContain('eng-spa');
    const firstPid = t.pids()['eng-spa'];
    expect(firstPid).toBeUndefined();
    await expect(t.translate('Hello again.', 'en', 'es')).rejects.toBeInstanceOf(TranslationEngineError);
    await t.close();
  });

  it('rejects when the chain crashes', async () => {
    const modes = join(dir, 'crash');
    execFileSync('mkdir', ['-p', modes]);
    writeFileSync(join(modes, 'eng-spa.mode'), 'false\n');
    const t = new ApertiumTranslator({ modesDir: modes });
    const error = await t.translate('Hello.', 'en', 'es').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TranslationEngineError);
    expect((error as Error).message).toContain('eng-spa');
    await t.close();
  });

  it("starts its chain without the user's shell start-up files", async () => {
    // Node gives a child a socket for stdin, and Debian's bash then reads ~/.bashrc as if started by sshd (when it
    // is not nested in another shell: SHLVL below 2, as under a service manager): a slow or blocking one (a version
    // manager's init waiting on a stale lock) held every pipeline's first answer.
    const home = join(dir, 'home');
    execFileSync('mkdir', ['-p', home]);
    const marker = join(home, 'bashrc-read');
    writeFileSync(join(home, '.bashrc'), `touch '${marker}'\nsleep 30\n`);
    writeFileSync(join(home, '.bash_profile'), `touch '${marker}'\nsleep 30\n`);
    const before = { HOME: process.env.HOME, SHLVL: process.env.SHLVL };
    process.env.HOME = home;
    process.env.SHLVL = '0';
    const t = new ApertiumTranslator({ sentenceTimeoutMs: 5000, startupAllowanceMs: 5000 });
    try {
      expect(await t.translate('Good morning everyone.', 'en', 'es')).not.toBe('');
      expect(existsSync(marker)).toBe(false);
    } finally {
      Object.assign(process.env, before);
      if (before.SHLVL === undefined) delete process.env.SHLVL;
      await t.close();
    }
  });

  it('leaves no child processes after close()', async () => {
    const t = new ApertiumTranslator();
    await t.warm(['es', 'eo']);
    expect(await t.translate('Good morning everyone.', 'en', 'es')).not.toBe('');
    const groups = Object.values(t.pids());
    expect(groups).toHaveLength(2);
    await t.close();
    const live = liveGroups();
    for (const g of groups) expect(live.has(g)).toBe(false);
    await expect(t.translate('Hello.', 'en', 'es')).rejects.toBeInstanceOf(TranslationEngineError);
  });
});

describe('escaping helpers', () => {
  it('escapes stream specials and flattens lines', () => {
    expect(escapeForApertium(' a[b]\n\0c ')).toBe('a\\[b\\] c');
  });
  it('drops word marks but keeps escaped and free-standing characters', () => {
    expect(cleanApertiumOutput('*Frob #foo @bar 1 * 2 \\@d ')).toBe('Frob foo bar 1 * 2 @d');
    expect(cleanApertiumOutput('Hoy  hablaremos de   esto ')).toBe('Hoy hablaremos de esto');
  });
});

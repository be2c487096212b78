// What the local engines offer on this machine: PocketSphinx's installed models, Apertium's installed pairs (with
// their pivots) and the installed voices, each declared by its own service, combined into the deployment's
// languages the way the CDK app combines the AWS engines'.
import { type DeploymentLanguages, deriveLanguages } from '@llt/events';
import { localSpeechCapabilities } from '@llt/synthesize/capabilities/local';
import { pocketsphinxCapabilities } from '@llt/transcribe/capabilities/local';
import { apertiumCapabilities } from '@llt/translate/capabilities/local';

/** The languages the local engines offer; `targets` narrows the targets (a test that needs only some). */
export function localLanguages(targets?: readonly string[]): DeploymentLanguages {
  const derived = deriveLanguages(pocketsphinxCapabilities(), apertiumCapabilities(), localSpeechCapabilities());
  if (!targets) return derived;
  const keep = (codes: string[]) => codes.filter((c) => targets.includes(c));
  return {
    ...derived,
    targets: keep(derived.targets),
    spoken: keep(derived.spoken),
    ...(derived.pairs
      ? { pairs: Object.fromEntries(Object.entries(derived.pairs).map(([s, t]) => [s, keep(t)])) }
      : {}),
  };
}

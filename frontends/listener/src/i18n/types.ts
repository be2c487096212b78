// The shape of a message file: English defines the keys, every locale provides each of them.
import type { en } from './en.ts';

/** A message that counts something: one form per plural category of the locale (`other` always). */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

export type MessageKey = keyof typeof en;

/** Keys whose message is a plural; the others are plain strings. */
export type PluralKey = { [K in MessageKey]: (typeof en)[K] extends string ? never : K }[MessageKey];

/** A locale's messages: exactly English's keys, plain where English is plain, plural where it is plural. */
export type Messages = { readonly [K in MessageKey]: K extends PluralKey ? Plural : string };

/** Values for a message's named placeholders (`{code}`); numbers are formatted for the locale. */
export type MessageValues = Readonly<Record<string, string | number>>;

/** A message to show later, kept as its key so it follows the UI language when that changes. */
export interface Text {
  key: MessageKey;
  values?: MessageValues;
}

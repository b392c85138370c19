// Control characters in text that came from a file (ids, names, messages quoting them): where it
// is printed to a terminal or written into generated code, they must not act (an ANSI sequence,
// a line break ending a comment). One definition for the CLI, the code generators and readers.

/** C0 controls (line breaks included), DEL, C1 controls, the Unicode line/paragraph separators and bidi overrides. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `\uXXXX` for one character. */
export const unicodeEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Every control character as `\uXXXX`: the text stays on one line and inert. */
export function escapeControls(s: string): string {
  return s.replace(CONTROL_CHARS, unicodeEscape);
}

/** Whether the text holds any control character. */
export function hasControls(s: string): boolean {
  CONTROL_CHARS.lastIndex = 0;
  const r = CONTROL_CHARS.test(s);
  CONTROL_CHARS.lastIndex = 0;
  return r;
}

/** How a target language spells a name: the one identifier cleaner of the compiler, the code view and the exporters. */
export interface IdentifierRule {
  /** The characters it cannot hold (a global class, e.g. /[^A-Za-z0-9_]/g): each becomes "_". */
  invalid: RegExp;
  /** What the first character must match; a name that does not gets `prefix` before it. */
  start?: RegExp;
  prefix?: string;
  /** Names it must not take (keywords, members): one gets a trailing "_". */
  reserved?: (name: string) => boolean;
}

/** A name from `s` that the rule allows ("conv 1" → "conv_1", "1x1" → "n_1x1" with prefix "n_"). */
export function cleanIdentifier(s: string, rule: IdentifierRule): string {
  let out = s.replace(rule.invalid, '_');
  if (rule.start && !rule.start.test(out)) out = `${rule.prefix ?? ''}${out}`;
  if (rule.reserved?.(out)) out = `${out}_`;
  return out;
}

/** The first of `base`, `base_2`, `base_3`, … not in `taken`; it is added to `taken`. */
export function uniqueName(base: string, taken: Set<string>): string {
  let out = base;
  for (let k = 2; taken.has(out); k++) out = `${base}_${k}`;
  taken.add(out);
  return out;
}

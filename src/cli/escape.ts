// Text from a graph or model file (ids, names, types, messages quoting them) must not drive the
// terminal: an ANSI sequence in a node id could erase or rewrite the error line above it, a
// newline could forge one. Control characters (C0, DEL, C1) and bidi overrides print as \uXXXX.
import type { CliIO } from './command';

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One field or one-line message: every control character escaped, newlines included. */
export function cliField(s: string): string {
  return s.replace(CONTROL, hex);
}

/**
 * The output boundary: whole blocks of text whose own line breaks are the command's, so
 * newlines stay; tabs and every other control character are escaped.
 */
export function cliText(s: string): string {
  return s.replace(CONTROL_BUT_NEWLINE, hex);
}

/** An io whose every write goes through cliText. */
export function escapedIO(io: CliIO): CliIO {
  return { out: (t) => io.out(cliText(t)), err: (t) => io.err(cliText(t)) };
}

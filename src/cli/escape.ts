// Text from a graph or model file (ids, names, types, messages quoting them) must not drive the
// terminal: an ANSI sequence in a node id could erase or rewrite the error line above it, a
// newline could forge one. Control characters (C0, DEL, C1) and bidi overrides print as \uXXXX.
import type { CliIO } from './command';
import { CONTROL_CHARS, escapeControls, unicodeEscape } from '../core/text';

/** One field or one-line message: every control character escaped, newlines included. */
export function cliField(s: string): string {
  return escapeControls(s);
}

/**
 * The output boundary: whole blocks of text whose own line breaks are the command's, so
 * newlines stay; tabs and every other control character are escaped.
 */
export function cliText(s: string): string {
  return s.replace(CONTROL_CHARS, (c) => (c === '\n' ? c : unicodeEscape(c)));
}

/** An io whose every write goes through cliText. */
export function escapedIO(io: CliIO): CliIO {
  return { out: (t) => io.out(cliText(t)), err: (t) => io.err(cliText(t)) };
}

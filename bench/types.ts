// What a bench module returns, so bench/run.ts can write one JSON file and one readable
// Markdown report for all of them.
export interface BenchTable {
  columns: string[];
  rows: (string | number | boolean | null)[][];
}

export interface BenchSection {
  /** Short key in latest.json, e.g. "analyze". */
  name: string;
  /** Heading in latest.md. */
  title: string;
  /** What was measured and how, one paragraph. */
  method: string;
  table: BenchTable;
  /** Targets and whether they were met. */
  targets?: { what: string; met: boolean; detail: string }[];
  notes?: string[];
  /** Raw numbers for latest.json. */
  data: unknown;
}

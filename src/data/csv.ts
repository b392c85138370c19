// The user's own table: a CSV file parsed by papaparse in chunks (csvParse.ts), then turned into a
// dataset from chosen feature and label columns. Numeric columns are used as they are; a
// categorical feature (any non-numeric value) becomes one-hot columns; a categorical label
// becomes class ids, a numeric one a regression target (or class ids if asked).
import { rng } from '../core/randomInputs';
import { DataError, permuteSplit, shuffleIndex, sliceSplit, type Dataset, type Split } from './dataset';
import { numberOrEmpty, type Table } from './csvParse';

export { parseCsv, readCsv, type Table } from './csvParse';

const isNum = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));

export type ColumnKind = 'numeric' | 'categorical';

/** A column is numeric when every non-empty value parses as a number. */
export function columnKinds(t: Table): ColumnKind[] {
  return t.header.map((_, k) => ((t.numeric?.[k] ?? t.rows.every((r) => numberOrEmpty(r[k]!))) ? 'numeric' : 'categorical'));
}

export interface CsvDatasetOptions {
  features: string[];
  label: string;
  /** classification: the label's distinct values are classes; regression: a numeric target. Default: by the label's kind. */
  task?: 'classification' | 'regression';
  /** Standardise numeric features to mean 0, variance 1 (default true). */
  standardize?: boolean;
  testFraction?: number;
  seed?: number;
  name?: string;
}

export function csvToDataset(t: Table, o: CsvDatasetOptions): Dataset {
  const col = (name: string) => {
    const k = t.header.indexOf(name);
    if (k < 0) throw new DataError(`CSV: no column "${name}" (columns: ${t.header.join(', ')})`);
    return k;
  };
  if (!o.features.length) throw new DataError('CSV: choose at least one feature column');
  if (o.features.includes(o.label)) throw new DataError(`CSV: "${o.label}" cannot be both a feature and the label`);
  const kinds = columnKinds(t);
  const fk = o.features.map(col);
  const lk = col(o.label);
  const task = o.task ?? (kinds[lk] === 'numeric' ? 'regression' : 'classification');
  // Feature layout: a numeric column is one value, a categorical one a one-hot block.
  const blocks = fk.map((k) => {
    if (kinds[k] === 'numeric') {
      const vals = t.rows.map((r) => (r[k]!.trim() === '' ? NaN : Number(r[k])));
      const ok = vals.filter(Number.isFinite);
      const mean = ok.reduce((a, b) => a + b, 0) / Math.max(1, ok.length);
      const sd = Math.sqrt(ok.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, ok.length)) || 1;
      return { k, kind: 'numeric' as const, mean, sd, width: 1 };
    }
    const cats = [...new Set(t.rows.map((r) => r[k]!.trim()))].sort();
    return { k, kind: 'categorical' as const, cats, width: cats.length };
  });
  const width = blocks.reduce((a, b) => a + b.width, 0);
  const n = t.rows.length;
  const x = new Float32Array(n * width);
  const std = o.standardize ?? true;
  t.rows.forEach((r, i) => {
    let o2 = i * width;
    for (const b of blocks) {
      if (b.kind === 'numeric') {
        const v = r[b.k]!.trim() === '' ? b.mean : Number(r[b.k]);
        x[o2] = std ? (v - b.mean) / b.sd : v;
      } else x[o2 + b.cats.indexOf(r[b.k]!.trim())] = 1;
      o2 += b.width;
    }
  });
  let y: Split['y'][number];
  let classNames: string[] | undefined;
  if (task === 'classification') {
    classNames = [...new Set(t.rows.map((r) => r[lk]!.trim()))].sort((a, b) => (isNum(a) && isNum(b) ? Number(a) - Number(b) : a < b ? -1 : 1));
    if (classNames.length < 2) throw new DataError(`CSV: the label "${o.label}" has only one value (${JSON.stringify(classNames[0])}); a classifier needs at least 2`);
    const ids = new Map(classNames.map((c, i) => [c, i]));
    y = { shape: [], dtype: 'int32', data: Int32Array.from(t.rows, (r) => ids.get(r[lk]!.trim())!) };
  } else {
    const bad = t.rows.findIndex((r) => !isNum(r[lk]!));
    if (bad >= 0) throw new DataError(`CSV: the label "${o.label}" is a regression target but row ${bad + 2} has ${JSON.stringify(t.rows[bad]![lk])}`);
    y = { shape: [1], dtype: 'float32', data: Float32Array.from(t.rows, (r) => Number(r[lk])) };
  }
  const all: Split = { x: [{ shape: [width], dtype: 'float32', data: x }], y: [y], n };
  const shuffled = permuteSplit(all, shuffleIndex(n, rng(o.seed ?? 3)));
  const nTest = Math.max(1, Math.round(n * (o.testFraction ?? 0.2)));
  if (n - nTest < 1) throw new DataError(`CSV: ${n} row(s) are too few to split into train and test`);
  const binary = task === 'classification' && classNames!.length === 2;
  return {
    name: o.name ?? 'csv',
    title: o.name ?? 'CSV data',
    description: `${n} rows; features ${o.features.join(', ')} (${width} input values${blocks.some((b) => b.kind === 'categorical') ? ', categorical ones one-hot' : ''}); label ${o.label} (${task === 'classification' ? `${classNames!.length} classes` : 'regression'}).`,
    task: task === 'classification' ? (binary ? 'classification' : 'classification') : 'regression',
    numClasses: classNames?.length,
    classNames,
    defaultLoss: task === 'classification' ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
    train: sliceSplit(shuffled, nTest, n),
    test: sliceSplit(shuffled, 0, nTest),
  };
}

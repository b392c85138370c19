import { describe, expect, it } from 'vitest';
import { columnKinds, csvToDataset, parseCsv } from './csv';
import { classFromPath, imagesToDataset, pairsFileToDataset, parsePairs, resizeToTensor } from './userData';
import { detokenize, makePreview, stripData, tokenize } from './preview';
import { makeSequenceTask } from './sequences';

describe('CSV', () => {
  it('parses quotes, embedded commas, newlines and CRLF', () => {
    const t = parseCsv('a,b,"c, d"\r\n1,"x ""y""",3\r\n2,"two\nlines",4\n');
    expect(t.header).toEqual(['a', 'b', 'c, d']);
    expect(t.rows).toEqual([
      ['1', 'x "y"', '3'],
      ['2', 'two\nlines', '4'],
    ]);
  });
  it('detects ; and tab delimiters and reports ragged rows with their line', () => {
    expect(parseCsv('a;b\n1;2').rows).toEqual([['1', '2']]);
    expect(parseCsv('a\tb\n1\t2').rows).toEqual([['1', '2']]);
    expect(() => parseCsv('a,b\n1,2\n3')).toThrow(/row 3 has 1 fields but the header has 2/);
    expect(() => parseCsv('a,b\n"1,2')).toThrow(/quoted field is not closed/);
  });
  it('drops a byte-order mark, reads quoted fields with ; as delimiter, and mixed line endings', () => {
    const t = parseCsv('\ufeffname;note;y\r\n"Smith; J.";"said ""hi"", left";1\n"Doe";"a\r\nb";2\r3;;4');
    expect(t.header).toEqual(['name', 'note', 'y']);
    expect(t.rows).toEqual([
      ['Smith; J.', 'said "hi", left', '1'],
      ['Doe', 'a\nb', '2'],
      ['3', '', '4'],
    ]);
    // A quoted header and a comma inside quotes with , as delimiter; blank lines skipped.
    expect(parseCsv('"a, first",b\n\n"1,5",2\n\n').rows).toEqual([['1,5', '2']]);
  });
  it('names the row of a malformed quote and quotes a ragged row', () => {
    expect(() => parseCsv('a,b\n1,2\n"x"y,3')).toThrow(/row 3: a quoted field has text after its closing quote, in "\\"x\\"y,3"/);
    expect(() => parseCsv('a,b\n1,2\n3,4,5')).toThrow(/row 3 has 3 fields but the header has 2: "3,4,5"/);
    expect(() => parseCsv('a,b')).toThrow(/needs a header row and at least one data row, got 1 row/);
  });
  it('builds features (numeric standardised, categorical one-hot) and class labels', () => {
    const t = parseCsv('size,colour,kind\n1,red,cat\n3,blue,dog\n5,red,dog\n7,green,cat\n9,blue,cat');
    expect(columnKinds(t)).toEqual(['numeric', 'categorical', 'categorical']);
    const d = csvToDataset(t, { features: ['size', 'colour'], label: 'kind', testFraction: 0.2, seed: 1 });
    expect(d.train.x[0]!.shape).toEqual([4]); // size + 3 colours
    expect(d.classNames).toEqual(['cat', 'dog']);
    expect(d.train.n + d.test.n).toBe(5);
    expect(d.test.n).toBe(1);
    // every row: the one-hot part sums to 1, and the sizes are standardised (mean 0 over all rows)
    const all = [d.train, d.test].flatMap((s) => Array.from({ length: s.n }, (_, i) => Array.from(s.x[0]!.data.subarray(i * 4, i * 4 + 4))));
    all.forEach((r) => expect(r[1]! + r[2]! + r[3]!).toBe(1));
    expect(all.reduce((a, r) => a + r[0]!, 0)).toBeCloseTo(0, 5);
    expect(Math.max(...all.map((r) => r[0]!))).toBeCloseTo(Math.sqrt(2), 5); // (9-5)/sd, sd=√8
  });
  it('makes a numeric label a regression target and names bad cells', () => {
    const t = parseCsv('x,y\n1,2.5\n2,3.5\n3,4.5\n4,5.5');
    const d = csvToDataset(t, { features: ['x'], label: 'y' });
    expect(d.task).toBe('regression');
    expect(d.defaultLoss).toBe('meanSquaredError');
    expect(d.train.y[0]!.shape).toEqual([1]);
    expect(() => csvToDataset(parseCsv('x,y\n1,a\n2,3'), { features: ['x'], label: 'y', task: 'regression' })).toThrow(/row 2 has "a"/);
    expect(() => csvToDataset(t, { features: ['z'], label: 'y' })).toThrow(/no column "z" \(columns: x, y\)/);
    expect(() => csvToDataset(t, { features: ['x'], label: 'x' })).toThrow(/both a feature and the label/);
  });
});

describe('pairs file', () => {
  it('reads →, -> and tab separators; characters or words', () => {
    const p = parsePairs('# comment\nabc → cba\n\nHELLO -> HH AH L OW\nxy\tyx\n');
    expect(p).toEqual([
      [['a', 'b', 'c'], ['c', 'b', 'a']],
      [['H', 'E', 'L', 'L', 'O'], ['HH', 'AH', 'L', 'OW']],
      [['x', 'y'], ['y', 'x']],
    ]);
    expect(() => parsePairs('abc\ncba')).toThrow(/line 1: expected "input → output"/);
  });
  it('becomes a teacher-forced seq2seq dataset', () => {
    const d = pairsFileToDataset(Array.from({ length: 20 }, (_, i) => `${'ab'.repeat(1 + (i % 3))} → ${'ba'.repeat(1 + (i % 3))}`).join('\n'));
    expect(d.task).toBe('seq2seq');
    expect(d.train.x.map((t) => t.shape)).toEqual([[6], [7]]);
    expect(d.train.y[0]!.shape).toEqual([7]);
    expect(d.train.n + d.test.n).toBe(20);
  });
});

describe('images', () => {
  it('resizes with bilinear sampling of pixel centres', () => {
    // 2×2 RGBA: black, white / white, black → 4×4 grey keeps the corners and blends in between
    const px = [0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255];
    const out = resizeToTensor(px, 2, 2, 4, 4, 1);
    expect(out.length).toBe(16);
    expect(out[0]).toBeCloseTo(0, 5);
    expect(out[3]).toBeCloseTo(1, 5);
    expect(out[1]).toBeCloseTo(0.25, 5); // x = 0.25 between 0 and 1, y = 0 row
    expect(out[5]).toBeCloseTo(0.375, 5); // (0.25,0.25): 0.75*0.75*0 + 0.25*0.75*1 + 0.75*0.25*1 + 0.25*0.25*0
    // same size is the identity; RGB keeps channels
    const rgb = resizeToTensor([255, 0, 0, 255], 1, 1, 1, 1, 3);
    expect(Array.from(rgb)).toEqual([1, 0, 0]);
    expect(resizeToTensor([255, 255, 255, 255], 1, 1, 1, 1, 1)[0]).toBeCloseTo(1, 5);
    expect(() => resizeToTensor([1, 2, 3], 1, 1, 1, 1, 1)).toThrow(/3 bytes for 1×1 RGBA/);
  });
  it('takes the class from the folder and builds a classification set', () => {
    expect(classFromPath('pets/cat/001.png')).toBe('cat');
    expect(() => classFromPath('001.png')).toThrow(/not inside a class folder/);
    const items = Array.from({ length: 10 }, (_, i) => ({ label: i % 2 ? 'dog' : 'cat', pixels: new Float32Array(4).fill(i) }));
    const d = imagesToDataset(items, [2, 2, 1]);
    expect(d.classNames).toEqual(['cat', 'dog']);
    expect(d.test.n).toBe(2);
    // labels follow their pixels through the shuffle
    for (const s of [d.train, d.test]) for (let i = 0; i < s.n; i++) expect(s.y[0]!.data[i]).toBe(s.x[0]!.data[i * 4]! % 2);
    expect(() => imagesToDataset(items.slice(0, 1), [2, 2, 1])).toThrow(/1 class folder/);
  });
});

describe('preview', () => {
  it('shows sequence pairs as text and strips the example arrays', () => {
    const d = makeSequenceTask('reverse', { n: 50, seed: 1 });
    const p = makePreview(d, 3);
    expect(p.kind).toBe('pairs');
    if (p.kind === 'pairs') for (const [a, b] of p.pairs) expect(b).toBe([...a].reverse().join(''));
    const s = stripData(d);
    expect(s.train.x[0]!.data.length).toBe(0);
    expect(s.train.n).toBe(d.train.n);
    expect(s.train.x[1]!.shape).toEqual(d.train.x[1]!.shape);
  });
  it('tokenizes characters or words and detokenizes up to </s>', () => {
    const vocab = ['<pad>', '<s>', '</s>', 'A', 'B', 'HH'];
    expect(tokenize('AB', vocab.slice(0, 5))).toEqual({ ids: [3, 4], unknown: [] });
    expect(tokenize('HH a', vocab)).toEqual({ ids: [5, 3], unknown: [] });
    expect(tokenize('AZ', vocab.slice(0, 5)).unknown).toEqual(['Z']);
    expect(detokenize([1, 3, 4, 2, 3], vocab.slice(0, 5))).toBe('AB');
    expect(detokenize([5, 3, 2], vocab)).toBe('HH A');
  });
});

// "Your data": a CSV (pick feature and label columns), a folder of images per class (resized to
// the graph's Input shape), or a text file of input → output pairs. The files are read and
// decoded here; the parsing itself lives in src/data (csv.ts, userData.ts) and is unit-tested. A CSV
// is read in chunks and a zip unpacked in a worker, each with its progress shown: a big file does
// not freeze the page.
import { useMemo, useState } from 'react';
import type { Dataset } from '../../data/dataset';
import { columnKinds, csvToDataset, readCsv, type Table } from '../../data/csv';
import { csvLimitsText } from '../../data/csvParse';
import { classFromPath, imagesToDataset, pairsFileToDataset, resizeToTensor } from '../../data/userData';
import { unzipInWorker } from '../../data/zipAsync';
import { useStore } from '../store';

type Kind = 'csv' | 'images' | 'pairs';

const IMAGE_FILE = /\.(png|jpe?g|gif|bmp|webp)$/i;

async function decodeImage(file: Blob, name: string): Promise<{ rgba: Uint8ClampedArray; w: number; h: number }> {
  const bmp = await createImageBitmap(file).catch((e: Error) => {
    throw new Error(`could not decode the image "${name}" (${e.message}) — is it a valid png/jpg/gif/bmp/webp?`);
  });
  const c = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bmp, 0, 0);
  const d = ctx.getImageData(0, 0, bmp.width, bmp.height);
  bmp.close();
  return { rgba: d.data, w: d.width, h: d.height };
}

export function UserDataDialog({ onClose, onDataset }: { onClose(): void; onDataset(d: Dataset, key: string): void }) {
  const [kind, setKind] = useState<Kind>('csv');
  const [table, setTable] = useState<{ name: string; key: string; t: Table } | null>(null);
  const [features, setFeatures] = useState<string[]>([]);
  const [label, setLabel] = useState('');
  const [task, setTask] = useState<'auto' | 'classification' | 'regression'>('auto');
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // The image size comes from the graph's first Input block.
  // Select the stored shape itself (a stable reference) and drop the batch axis here: a selector
  // that returns a fresh array on every call makes React re-render forever (error #185).
  const fullShape = useStore((s) => {
    const id = s.analysis.flat.inputs[0];
    return id ? (s.analysis.flat.nodes.get(id)?.outputShapes?.out ?? null) : null;
  });
  const inputShape = useMemo(() => fullShape?.slice(1) ?? null, [fullShape]);
  // Reading a CSV or unpacking a zip can take a while: Stop aborts it, and nothing changes.
  const [stop, setStop] = useState<AbortController | null>(null);
  const guard = async (what: string, fn: (signal: AbortSignal) => Promise<void>, stoppable = false) => {
    const ac = new AbortController();
    setErr(null);
    setBusy(what);
    setStop(stoppable ? ac : null);
    try {
      await fn(ac.signal);
    } catch (e) {
      setErr(ac.signal.aborted ? `${what}: stopped; nothing changed` : (e as Error).message);
    } finally {
      setBusy(null);
      setStop(null);
    }
  };
  // Once per table, not per render: a table can have millions of rows.
  const kinds = useMemo(() => (table ? columnKinds(table.t) : []), [table]);
  /** Decodes images named by class-folder paths and hands over the dataset (folder or zip). */
  const decodeAll = async (files: { path: string; blob: Blob }[], key: string, name: string, signal: AbortSignal) => {
    if (!inputShape || inputShape.length !== 3 || inputShape.some((d) => d === null)) throw new Error(`the graph's Input must be an image shape [height, width, channels]; it is ${inputShape ? `[${inputShape.join(', ')}]` : 'missing'}`);
    const [h, w, c] = inputShape as [number, number, number];
    if (c !== 1 && c !== 3) throw new Error(`images need 1 (grey) or 3 (RGB) channels; the Input has ${c} — set its shape to [${h}, ${w}, 1] or [${h}, ${w}, 3]`);
    if (!files.length) throw new Error('no image files (png, jpg, gif, bmp, webp) found — put each class’s images in a folder named after the class');
    const items = [];
    for (const f of files) {
      signal.throwIfAborted();
      if (items.length % 50 === 0) setBusy(`Decoding images: ${items.length} / ${files.length}`);
      const img = await decodeImage(f.blob, f.path);
      items.push({ label: classFromPath(f.path), pixels: resizeToTensor(img.rgba, img.w, img.h, w, h, c as 1 | 3) });
    }
    onDataset(imagesToDataset(items, [h, w, c], { name }), `${key}:${h}x${w}x${c}`);
  };
  const fromFiles = (files: { path: string; blob: Blob }[], key: string, name: string) => guard('Decoding images', (signal) => decodeAll(files, key, name, signal), true);
  return (
    <div className="nbt-dialog" data-testid="user-data-dialog">
      <div className="nbt-row">
        <h4 style={{ margin: 0 }}>Your data</h4>
        <span className="nb-spacer" />
        <button className="nb-btn small" onClick={onClose}>
          ✕
        </button>
      </div>
      <div className="nbt-seg">
        {(['csv', 'images', 'pairs'] as Kind[]).map((k) => (
          <button key={k} className={`nb-btn small${kind === k ? ' active' : ''}`} onClick={() => setKind(k)} data-testid={`user-data-${k}`}>
            {k === 'csv' ? 'CSV table' : k === 'images' ? 'Image folder' : 'Pairs (seq2seq)'}
          </button>
        ))}
      </div>
      {kind === 'csv' && (
        <>
          <input
            type="file"
            accept=".csv,text/csv,.tsv,.txt"
            data-testid="csv-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f)
                void guard(`Reading ${f.name}`, async (signal) => {
                  const t = await readCsv(f, f.name, {
                    signal,
                    onProgress: (p) => setBusy(`Reading ${f.name}: ${p.total ? `${Math.floor((100 * p.bytes) / p.total)}%, ` : ''}${p.rows.toLocaleString('en-US')} rows`),
                  });
                  setTable({ name: f.name, key: `${f.name}:${f.size}:${f.lastModified}`, t });
                  setLabel(t.header[t.header.length - 1]!);
                  setFeatures(t.header.slice(0, -1));
                }, true);
            }}
          />
          <div className="nbt-note nb-muted" data-testid="csv-limits">
            The app reads CSV files {csvLimitsText()}.
          </div>
          {table && (
            <>
              <div className="nbt-note">
                {table.t.rows.length} rows × {table.t.header.length} columns. Tick the feature columns and choose the label.
              </div>
              <table className="nbt-table">
                <thead>
                  <tr>
                    <th>column</th>
                    <th>kind</th>
                    <th>feature</th>
                    <th>label</th>
                  </tr>
                </thead>
                <tbody>
                  {table.t.header.map((h, k) => (
                    <tr key={h}>
                      <td className="mono">{h}</td>
                      <td className="nb-muted">{kinds[k]}</td>
                      <td>
                        <input type="checkbox" data-testid={`csv-feature-${h}`} checked={features.includes(h)} disabled={label === h} onChange={(e) => setFeatures(e.target.checked ? [...features, h] : features.filter((x) => x !== h))} />
                      </td>
                      <td>
                        <input
                          type="radio"
                          name="label"
                          data-testid={`csv-label-${h}`}
                          checked={label === h}
                          onChange={() => {
                            setLabel(h);
                            setFeatures(features.filter((x) => x !== h));
                          }}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="nbt-row">
                <select className="nbt-select small" data-testid="csv-task" value={task} onChange={(e) => setTask(e.target.value as typeof task)}>
                  <option value="auto">task: by the label’s kind</option>
                  <option value="classification">classification</option>
                  <option value="regression">regression</option>
                </select>
                <button
                  className="nb-btn primary"
                  data-testid="csv-use"
                  onClick={() =>
                    void guard('Building', async () => {
                      const d = csvToDataset(table.t, { features, label, task: task === 'auto' ? undefined : task, name: table.name });
                      onDataset(d, `csv:${table.key}:${features.join(',')}:${label}:${task}`);
                    })
                  }
                >
                  Use this data
                </button>
              </div>
            </>
          )}
        </>
      )}
      {kind === 'images' && (
        <>
          <div className="nbt-note">
            Choose a folder with one sub-folder per class (e.g. <code>cats/</code>, <code>dogs/</code>). Images are resized to the Input’s shape{' '}
            <b>{inputShape ? `[${inputShape.join(', ')}]` : '(no Input block)'}</b>.
          </div>
          <div className="nbt-row">
            <label className="nbt-field">
              <span>a folder</span>
              <input
                type="file"
                multiple
                data-testid="image-folder"
                {...({ webkitdirectory: '' } as Record<string, string>)}
                onChange={(e) => {
                  const files = [...(e.target.files ?? [])].filter((f) => IMAGE_FILE.test(f.name));
                  e.target.value = '';
                  void fromFiles(
                    files.map((f) => ({ path: (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name, blob: f })),
                    `folder:${files.length}:${files[0]?.name ?? ''}`,
                    // the chosen folder's name: the first part of each file's relative path
                    ((files[0] as (File & { webkitRelativePath?: string }) | undefined)?.webkitRelativePath ?? '').split('/')[0] || 'Your images',
                  );
                }}
              />
            </label>
            <label className="nbt-field">
              <span>…or a .zip</span>
              <input
                type="file"
                accept=".zip,application/zip"
                data-testid="image-zip"
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  e.target.value = '';
                  if (!f) return;
                  void guard(`Unpacking ${f.name}`, async (signal) => {
                    const files = await unzipInWorker(f, f.name, { signal, onProgress: (done, total) => setBusy(`Unpacking ${f.name}: ${done} / ${total} files`) });
                    const entries = files.filter((x) => IMAGE_FILE.test(x.path));
                    await decodeAll(
                      entries.map((x) => ({ path: x.path, blob: new Blob([x.data as BlobPart]) })),
                      `zip:${f.name}:${f.size}:${f.lastModified}`,
                      f.name,
                      signal,
                    );
                  }, true);
                }}
              />
            </label>
          </div>
        </>
      )}
      {kind === 'pairs' && (
        <>
          <div className="nbt-note">
            A text file with one <code>input → output</code> pair per line (<code>-&gt;</code> or a tab also work). Sides with spaces are word sequences, otherwise characters.
          </div>
          <input
            type="file"
            accept=".txt,.tsv,text/plain"
            data-testid="pairs-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void guard('Reading', async () => onDataset(pairsFileToDataset(await f.text(), f.name), `pairs:${f.name}:${f.size}:${f.lastModified}`));
            }}
          />
        </>
      )}
      {busy && (
        <div className="nbt-row">
          <span className="nbt-note" data-testid="user-data-busy">
            {busy}…
          </span>
          {stop && (
            <button className="nb-btn small" data-testid="user-data-stop" onClick={() => stop.abort()}>
              Stop
            </button>
          )}
        </div>
      )}
      {err && (
        <div className="nbt-note error" data-testid="user-data-error">
          {err}
        </div>
      )}
    </div>
  );
}

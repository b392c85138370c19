// Runs the official ONNX checker (Debian's python3-onnx: onnx.checker.check_model with
// full_check=True, which also runs shape inference) over many model files in one python
// process. Node's spawnSync is passed in so this module imports nothing Node-only.
// Debian's /usr/bin/python3 is used on purpose: a pyenv python3 earlier on PATH would not see
// the apt-installed onnx module.

type SpawnSync = (cmd: string, args: string[], opts: { input?: string; encoding: 'utf8'; maxBuffer?: number }) => {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
};

export type CheckResult =
  | { status: 'no-python-onnx'; message: string }
  | { status: 'ran'; checked: number; failures: { file: string; error: string }[] };

const SCRIPT = `
import json, sys
import onnx
files = json.loads(sys.stdin.read())
out = []
for f in files:
    try:
        m = onnx.load(f)
        onnx.checker.check_model(m, full_check=True)
        out.append({"file": f, "ok": True})
    except Exception as e:
        out.append({"file": f, "ok": False, "error": (type(e).__name__ + ": " + str(e))[:2000]})
print(json.dumps(out))
`;

export function checkModelsWithPython(files: string[], deps: { spawnSync: SpawnSync; python?: string }): CheckResult & { failures: { file: string; error: string }[]; checked: number } {
  const python = deps.python ?? '/usr/bin/python3';
  const probe = deps.spawnSync(python, ['-c', 'import onnx; print(onnx.__version__)'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : probe.stderr.trim().split('\n').pop();
    return { status: 'no-python-onnx', message: `${python} cannot import onnx (${why}): install it with apt-get install -y python3-onnx`, failures: [], checked: 0 };
  }
  const r = deps.spawnSync(python, ['-c', SCRIPT], { input: JSON.stringify(files), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return { status: 'ran', checked: 0, failures: [{ file: '(all)', error: `checker process failed: ${r.stderr.trim()}` }] };
  const rows = JSON.parse(r.stdout) as { file: string; ok: boolean; error?: string }[];
  return { status: 'ran', checked: rows.length, failures: rows.filter((x) => !x.ok).map((x) => ({ file: x.file, error: x.error ?? '' })) };
}

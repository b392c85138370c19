# Runs many exported models in one Python process (the parity tests' batch runner).
# usage: python3 parity.py CASES_DIR  — every sub-directory holds model.py, weights.json/.bin and
# io.json/io.bin (inputs and the tfjs outputs); writes CASES_DIR/results.json with, per case, the
# largest absolute difference from tfjs per output (or the Python error).
import importlib.util
import json
import os
import sys
import traceback

import torch


def read(blob, e):
    dtype = torch.int32 if e["dtype"] == "int32" else torch.float32
    n = 1
    for d in e["shape"]:
        n *= d
    return torch.frombuffer(blob, dtype=dtype, count=n, offset=e["offset"]).reshape(e["shape"]).clone()


def run(case_dir):
    spec = importlib.util.spec_from_file_location(f"case_{os.path.basename(case_dir)}", os.path.join(case_dir, "model.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = mod.load_weights(mod.Model(), case_dir).eval()
    with open(os.path.join(case_dir, "io.json")) as f:
        io = json.load(f)
    with open(os.path.join(case_dir, "io.bin"), "rb") as f:
        blob = bytearray(f.read())
    xs = [read(blob, e) for e in io["inputs"]]
    xs = [x.long() if x.dtype == torch.int32 else x for x in xs]
    with torch.no_grad():
        out = model(*xs)
    outs = out if isinstance(out, tuple) else (out,)
    diffs = []
    for o, e in zip(outs, io["outputs"]):
        want = read(blob, e)
        if list(o.shape) != list(want.shape):
            diffs.append({"shape": list(o.shape), "want": list(want.shape)})
        else:
            diffs.append({"max": float((o.float() - want).abs().max()) if want.numel() else 0.0,
                          "scale": float(want.abs().max()) if want.numel() else 0.0})
    if len(outs) != len(io["outputs"]):
        return {"error": f"model returned {len(outs)} outputs, tfjs {len(io['outputs'])}"}
    return {"outputs": diffs}


def main():
    root = sys.argv[1]
    torch.manual_seed(0)
    results = {}
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if not os.path.isdir(d):
            continue
        try:
            results[name] = run(d)
        except Exception:
            results[name] = {"error": traceback.format_exc(limit=3)}
    with open(os.path.join(root, "results.json"), "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()

import { defineConfig, searchForWorkspaceRoot, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where scripts/dataAssets.ts writes the assets (DATA_ASSET_DIR there). */
const DATA_DIR = 'node_modules/.cache/neural-blocks-data';

/**
 * Makes the compact data-set assets (scripts/dataAssets.ts; src/data/browserEnv.ts reads them)
 * before serving or building. A child process: the packages' JSON (149 MB for Fashion-MNIST) is
 * parsed only when the cache is stale, and never stays in the dev server's memory.
 */
function dataAssets(): Plugin {
  return {
    name: 'neural-blocks-data-assets',
    config(c) {
      const root = resolve(c.root ?? process.cwd());
      const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/dataAssets.ts', '--quiet'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (out.trim()) console.log(out.trim());
      // The dev server serves the assets' real path (node_modules may be a link to elsewhere).
      return { server: { fs: { allow: [searchForWorkspaceRoot(root), realpathSync(join(root, DATA_DIR))] } } };
    },
  };
}

/**
 * tfjs-wasm's threaded build starts each pthread worker from the source text of its module factory
 * (the function's toString). The minifier knows the factory's `_scriptDir` is a local of the
 * function around it and folds `typeof _scriptDir !== "undefined" && _scriptDir` to a bare
 * reference, which the worker, running that text on its own, lacks: the workers died with "e is not
 * defined" and the built site had to run WASM on one thread. In a browser that line does nothing
 * (`_scriptDir` is undefined without document.currentScript or __filename), so the build drops it.
 */
function wasmThreadsSurviveMinify(): Plugin {
  const LINE = 'if(typeof _scriptDir !== "undefined" && _scriptDir){scriptDirectory=_scriptDir}';
  return {
    name: 'neural-blocks-wasm-threads',
    apply: 'build',
    transform(code, id) {
      if (!id.includes('tfjs-backend-wasm') || !code.includes(LINE)) return null;
      return { code: code.split(LINE).join(''), map: null };
    },
  };
}

// Cross-origin isolation lets onnxruntime-web (and tfjs WASM) use threads (SharedArrayBuffer).
// Everything the app loads is its own, so it works under these headers; a server that does not
// send them still runs the app, single-threaded (src/onnx/ortWeb.ts checks crossOriginIsolated).
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  // Relative URLs: the build works from any folder of any static server, and from a sub-path.
  base: './',
  plugins: [react(), dataAssets(), wasmThreadsSurviveMinify()],
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION },
  worker: { format: 'es', plugins: () => [wasmThreadsSurviveMinify()] },
  // Pre-bundle what lazily loaded panels import, so the dev server never reloads the page mid-use.
  optimizeDeps: { include: ['protobufjs', 'elkjs/lib/elk.bundled.js', 'onnxruntime-web', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm'] },
  build: { chunkSizeWarningLimit: 8000 },
});

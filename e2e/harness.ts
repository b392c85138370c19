// Shared by the e2e runner and the UI benchmark: serve the app (Vite dev server, or a build via
// vite preview) on 127.0.0.1 and drive Debian's chromium with playwright-core. No browser download.
import { createServer, preview, build, type ViteDevServer, type PreviewServer } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves the app: 'dev' (fast start, no build) or 'preview' (production build, for timings). */
export async function serve(mode: 'dev' | 'preview' = 'dev', opts: { rebuild?: boolean } = {}): Promise<Served> {
  if (mode === 'dev') {
    const server: ViteDevServer = await createServer({ server: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn', clearScreen: false });
    await server.listen();
    const addr = server.httpServer!.address();
    const port = typeof addr === 'object' && addr ? addr.port : 5173;
    return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
  }
  if (opts.rebuild || !existsSync('dist/index.html') || process.env.NB_REBUILD) await build({ logLevel: 'warn' });
  const server: PreviewServer = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const addr = server.httpServer.address();
  const port = typeof addr === 'object' && addr ? addr.port : 4173;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((r) => server.httpServer.close(() => r())) };
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
  });
}

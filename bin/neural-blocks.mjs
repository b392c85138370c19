#!/usr/bin/env node
// The `neural-blocks` command. The CLI is written in TypeScript (src/cli/main.ts); tsx's ESM
// loader compiles it on the fly, so `npx neural-blocks …` works right after `npm install`
// without a build step.
//
// The command runs in a worker thread with a large stack: tfjs builds a model by recursing
// once per layer of depth (Container's buildMapOfGraph), which overflows the main thread's
// ~1 MB stack at a few thousand blocks in a chain; a graph may have 100,000
// (src/core/limits.ts), which needs ~25 MB. The worker sends its output here as messages, in
// order, and this thread writes them and exits with the command's status.
//
// stdout belongs to the command's result (JSON must parse), so every console.* call made by
// libraries goes to stderr, and tfjs' "install tfjs-node for speed" banner is dropped: it is
// advice for a server deployment, not something a CLI user can act on.
import { format } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const STACK_MB = 256;

if (isMainThread) {
  // A reader that stops early (`| head`) closes the pipe: that is not an error of the command.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const worker = new Worker(new URL(import.meta.url), {
    workerData: process.argv.slice(2),
    resourceLimits: { stackSizeMb: STACK_MB },
  });
  let code;
  worker.on('message', (m) => {
    if (m.kind === 'out') process.stdout.write(m.text);
    else if (m.kind === 'err') process.stderr.write(m.text);
    else if (m.kind === 'exit') code = m.code;
  });
  worker.on('error', (e) => {
    process.stderr.write(`neural-blocks: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    code = 3;
  });
  // Exit once stdout has drained: tfjs or onnxruntime may hold the event loop open otherwise.
  worker.on('exit', (c) => process.stdout.write('', () => process.exit(code ?? (c || 3))));
} else {
  const send = (kind, text) => parentPort.postMessage({ kind, text: text.endsWith('\n') ? text : text + '\n' });
  const toStderr = (...args) => {
    const text = format(...args);
    if (/TensorFlow\.js in Node\.js|tfjs-node|============================/.test(text)) return;
    send('err', text);
  };
  console.log = toStderr;
  console.info = toStderr;
  console.warn = toStderr;
  console.debug = toStderr;
  const { register } = await import('tsx/esm/api');
  register();
  let code;
  try {
    const { main } = await import('../src/cli/main.ts');
    code = await main(workerData, { out: (text) => send('out', text), err: (text) => send('err', text) });
  } catch (e) {
    // A bug, not a user error: one line on stderr, the stack only when asked for.
    const { cliField } = await import('../src/cli/escape.ts');
    send('err', `neural-blocks: internal error: ${cliField(e instanceof Error ? e.message : String(e))}`);
    if (process.env.NEURAL_BLOCKS_DEBUG) send('err', `${e instanceof Error ? e.stack : ''}`);
    code = 3;
  }
  parentPort.postMessage({ kind: 'exit', code });
  // tfjs or onnxruntime may hold this thread's event loop open: end it.
  process.exit(code);
}

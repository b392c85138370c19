#!/usr/bin/env node
// The `neural-blocks` command. The CLI is written in TypeScript (src/cli/main.ts); tsx's ESM
// loader compiles it on the fly, so `npx neural-blocks …` works right after `npm install`
// without a build step.
//
// stdout belongs to the command's result (JSON must parse), so every console.* call made by
// libraries goes to stderr, and tfjs' "install tfjs-node for speed" banner is dropped: it is
// advice for a server deployment, not something a CLI user can act on.
import { format } from 'node:util';
import { register } from 'tsx/esm/api';

const toStderr = (...args) => {
  const text = format(...args);
  if (/TensorFlow\.js in Node\.js|tfjs-node|============================/.test(text)) return;
  process.stderr.write(text + '\n');
};
console.log = toStderr;
console.info = toStderr;
console.warn = toStderr;
console.debug = toStderr;

// A reader that stops early (`| head`) closes the pipe: that is not an error of the command.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

register();

try {
  const { main } = await import('../src/cli/main.ts');
  const code = await main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  });
  exit(code);
} catch (e) {
  // A bug, not a user error: one line on stderr, the stack only when asked for.
  process.stderr.write(`neural-blocks: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.NEURAL_BLOCKS_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
  exit(3);
}

// Exit once stdout has drained: tfjs or onnxruntime may hold the event loop open otherwise.
function exit(code) {
  process.stdout.write('', () => process.exit(code));
}

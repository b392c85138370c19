// The block registry: every block type the app knows, one line each. Adding a block is one
// module in blocks/ plus one line here; the contract test (blocks/contract.test.ts) loops over
// this list and checks each block against real tfjs and onnxruntime.
import type { AnyBlockSpec } from '../src/core/spec';
import input from './input';
import dense from './dense';
import conv2d from './conv2d';
import add from './add';
// @registry-imports (keep this line: helpers add imports above it)

export const BLOCKS: readonly AnyBlockSpec[] = [
  input,
  dense,
  conv2d,
  add,
  // @registry-entries (keep this line: helpers add entries above it)
];

const BY_TYPE = new Map(BLOCKS.map((b) => [b.type, b] as const));

export function getBlock(type: string): AnyBlockSpec | undefined {
  return BY_TYPE.get(type);
}

export function blockTypes(): string[] {
  return BLOCKS.map((b) => b.type);
}

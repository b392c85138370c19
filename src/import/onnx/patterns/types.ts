// A fusion found by a pattern: the live nodes it replaces, the one whose output it produces
// (where the new node goes in the node order), and the node that replaces them.
import type { PNode } from '../proto';

export interface Fusion {
  nodes: Set<PNode>;
  exit: PNode;
  synth: PNode;
}

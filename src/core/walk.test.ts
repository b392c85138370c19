import { describe, expect, it } from 'vitest';
import { analyze } from './infer';
import type { GraphDoc } from './graph';
import { walkGraph } from './walk';

// An encoder LSTM with its states on extra ports: its "h" feeds a Dense, its "c" an Add.
const doc: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'walk',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [5, 3] } },
    { id: 'enc', type: 'LSTM', params: { units: 4, returnState: true } },
    { id: 'd', type: 'Dense', params: { units: 4 } },
    { id: 'sum', type: 'Add', params: {} },
  ],
  edges: [
    { source: 'x', target: 'enc' },
    { source: 'enc', sourceHandle: 'h', target: 'd' },
    { source: 'd', target: 'sum' },
    { source: 'enc', sourceHandle: 'c', target: 'sum' },
  ],
};

describe('walkGraph', () => {
  it('hands each node the values of the ports that feed it, keyed by node and port', () => {
    const a = analyze(doc);
    expect(a.ok).toBe(true);
    const seen: string[] = [];
    const walked = walkGraph<string>(a, (id, info, ins) => {
      seen.push(`${id}(${ins.map((v) => v ?? '-').join(', ')})`);
      return info.outputPorts.map((p) => `${id}.${p}`);
    });
    const lstmPorts = a.nodes.get('enc')!.inputPorts;
    expect(seen).toEqual(['x()', `enc(${lstmPorts.map((p) => (p === 'in' ? 'x.out' : '-')).join(', ')})`, 'd(enc.h)', 'sum(d.out, enc.c)']);
    expect(walked.value('enc', 'c')).toBe('enc.c');
    expect(walked.value('nowhere', 'out')).toBeUndefined();
    expect(walked.inputs).toEqual(['x.out']);
    // the outputs: the ports of the nodes nothing reads from (enc's "out" is not one: enc feeds others)
    expect(walked.outputs).toEqual(['sum.out']);
  });
});

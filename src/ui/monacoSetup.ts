// Monaco, bundled (never from a CDN): @monaco-editor/react is pointed at the local package and
// its web workers are built by Vite from the package's own worker entry points.
import * as monaco from 'monaco-editor';
import { loader } from '@monaco-editor/react';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/language/json/json.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import { BLOCKS } from '../../blocks/index';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../core/graph';

self.MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    if (label === 'json') return new JsonWorker();
    if (label === 'typescript' || label === 'javascript') return new TsWorker();
    return new EditorWorker();
  },
};

loader.config({ monaco });

/** The graph format's structure as a JSON Schema, for completion and squiggles in the editor. */
export const GRAPH_SCHEMA = {
  type: 'object',
  required: ['format', 'version', 'nodes', 'edges'],
  properties: {
    format: { const: GRAPH_FORMAT },
    version: { const: GRAPH_VERSION },
    name: { type: 'string' },
    description: { type: 'string' },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'type'],
        properties: {
          id: { type: 'string', minLength: 1 },
          type: { type: 'string', enum: [...BLOCKS.map((b) => b.type), 'Macro'] },
          params: { type: 'object' },
          position: { type: 'object', required: ['x', 'y'], properties: { x: { type: 'number' }, y: { type: 'number' } } },
          label: { type: 'string' },
        },
      },
    },
    edges: {
      type: 'array',
      items: {
        type: 'object',
        required: ['source', 'target'],
        properties: {
          id: { type: 'string' },
          source: { type: 'string' },
          target: { type: 'string' },
          sourceHandle: { type: 'string' },
          targetHandle: { type: 'string' },
        },
      },
    },
    training: { type: 'object' },
    macros: { type: 'object' },
    meta: { type: 'object' },
  },
};

monaco.json.jsonDefaults.setDiagnosticsOptions({
  validate: true,
  allowComments: false,
  schemas: [{ uri: 'https://neural-blocks.local/graph.schema.json', fileMatch: ['graph.json'], schema: GRAPH_SCHEMA }],
});

export { monaco };

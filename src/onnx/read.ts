// Reading ONNX files: protobufjs with the official onnx.proto (src/onnx/onnx.proto, vendored
// unchanged from ONNX 1.12). The proto text is passed in (tests read the file; the browser can
// import it with Vite's "?raw"), so this module has no Node-only APIs. No hand-written parser.
import protobuf from 'protobufjs';

export interface OnnxReader {
  root: protobuf.Root;
  ModelProto: protobuf.Type;
}

export function onnxReader(protoText: string): OnnxReader {
  const root = protobuf.parse(protoText, { keepCase: true }).root;
  return { root, ModelProto: root.lookupType('onnx.ModelProto') };
}

/**
 * Decodes a ModelProto into a plain object: field names as in onnx.proto (snake_case), int64s
 * as numbers, enums as numbers, bytes (raw_data) as Uint8Array.
 */
export function decodeModel(reader: OnnxReader, bytes: Uint8Array): Record<string, unknown> {
  const msg = reader.ModelProto.decode(bytes);
  return reader.ModelProto.toObject(msg, { longs: Number, enums: Number, bytes: Uint8Array as never, defaults: false, arrays: true }) as Record<string, unknown>;
}

// Names and versions that files written by this app carry, in one place: the ONNX exporter's
// producer fields and graph metadata, the tfjs model.json's graph metadata and convertedBy, the
// CLI's --version. Readers of those files (src/import) look for the same names.
import { GRAPH_FORMAT } from './graph';

/** The producer name written into exports (ONNX producer_name, tfjs convertedBy). */
export const APP_NAME = 'neural-blocks';

/** This build's version (package.json's "version"; a test keeps the two equal). */
export const APP_VERSION = '0.1.0';

/**
 * The key under which an export stores its graph document (ONNX metadata_props, tfjs
 * userDefinedMetadata), so our own exports reopen as editable graphs: the graph format's name.
 */
export const GRAPH_METADATA_KEY = GRAPH_FORMAT;

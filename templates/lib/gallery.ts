// templates/index.json: the list the app's template gallery shows (file, title, family, dataset).
import type { TemplateDoc } from './builder';

export interface GalleryEntry {
  file: string;
  title: string;
  family: string;
  dataset: string;
  nodes: number;
}

export function galleryIndex(all: { name: string; doc: TemplateDoc }[]): GalleryEntry[] {
  return all.map(({ name, doc }) => ({ file: `${name}.json`, title: doc.meta.title, family: doc.meta.family, dataset: doc.training.dataset, nodes: doc.nodes.length }));
}

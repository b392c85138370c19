// What vite/client declares for the core type-check (tsconfig.core.json), which leaves out
// vite/client because it brings DOM types (Worker) with it: `?raw` imports are the file's text.
declare module '*?raw' {
  const text: string;
  export default text;
}
/** `?url` imports are the asset's URL. */
declare module '*?url' {
  const url: string;
  export default url;
}

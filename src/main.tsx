// Entry: restore the open graph (or a shared one) from IndexedDB / the URL, then render the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './ui/styles.css';
import { App } from './ui/App';
import { boot, openAsNew } from './ui/docs';
import type { GraphDoc } from './core/graph';
import { getState, commit, undo, redo, setState } from './ui/store';
import { shareUrl } from './ui/share';
import { listGraphs } from './ui/persist';
import { downloadBytes } from './data/browserEnv';
import { noteDownloadSizes } from './data/registry';

// The Train panel's data set list shows each bundled set's download size before it is chosen.
noteDownloadSizes(downloadBytes());

declare global {
  interface Window {
    /** Test and benchmark hooks (read-only use from e2e/bench; the UI never relies on them). */
    __nb?: {
      getState: typeof getState;
      commit: typeof commit;
      undo: typeof undo;
      redo: typeof redo;
      setState: typeof setState;
      shareUrl: typeof shareUrl;
      listGraphs: typeof listGraphs;
      /** Set by the JSON panel: the messages of its current error markers. */
      jsonMarkers?: () => string[];
      /** Opens a graph as a new document, as opening a file does. */
      openDoc: (doc: GraphDoc) => Promise<void>;
      ready: boolean;
    };
  }
}

window.__nb = { getState, commit, undo, redo, setState, shareUrl, listGraphs, openDoc: (doc) => openAsNew(doc, 'Opened'), ready: false };

const root = createRoot(document.getElementById('root')!);
boot()
  .catch((e) => console.error('boot failed', e))
  .finally(() => {
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  });

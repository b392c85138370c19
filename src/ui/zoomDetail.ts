// How much detail blocks and edges draw at the current zoom. Zoomed far out (a 500-block graph
// fitted to the screen) blocks draw as plain labelled boxes and edges without shape labels.
// The canvas reads the zoom from React Flow once and hands the answer down through a context:
// a selector in every block and edge would run on every React Flow store update (each step of a
// drag), thousands of calls per frame on a big graph.
import { createContext } from 'react';

/** Below this zoom blocks are drawn as plain boxes and edge labels are hidden. */
export const FAR_ZOOM = 0.45;

/** True while the canvas is zoomed out past FAR_ZOOM. */
export const FarContext = createContext(false);

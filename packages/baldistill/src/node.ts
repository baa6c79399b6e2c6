/** Node-only parts of @paperkit/baldistill: the resumable run state in a directory. */
export { directoryStateStore, STATE_FILE } from './directory-state-store.js';

/** Placeholder until the client lands; replaced by the adapter over src/client. */
import type { BackendFactory } from './shell.js';
export const clientBackend: BackendFactory = () => {
  throw new Error('tszk client not available yet');
};

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import { installEffects } from './store/effects';
import { restoreWorkspace } from './store/restore';
import { hydrateRuns } from './store/runner';
import { installWorkspaceSaving } from './store/workspace_client';
import { connectWorker, probeDevice } from './store/responses';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  connectWorker();
  // The workspace first: the run plans it holds decide which restored runs can still start or resume, and a
  // share link in the address (applied by installEffects) overrides the configuration it restores.
  restoreWorkspace();
  installWorkspaceSaving();
  installEffects();
  void hydrateRuns();
  createRoot(root).render(
    <StrictMode>
      <ErrorBoundary>
        <App />
      </ErrorBoundary>
    </StrictMode>,
  );
  probeDevice();
}

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import { installEffects } from './store/effects';
import { hydrateRuns } from './store/runner';
import { connectWorker, probeDevice } from './store/responses';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  connectWorker();
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

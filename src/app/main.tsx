import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { installEffects } from './store/effects';
import { hydrateRuns } from './store/runner';
import { probeDevice } from './worker/bridge';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  installEffects();
  void hydrateRuns();
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  probeDevice();
}

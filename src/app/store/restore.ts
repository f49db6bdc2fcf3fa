/**
 * A reload brings the workspace back: the model and the shards are loaded again from where they were kept
 * (OPFS, the Hub cache, or the bundled demo), under the same shard ids so queued and interrupted runs find
 * their data, and the forms, data roles and checkpoint interval are set as they were.
 */
import { downloadFromHub, loadDemoModel, loadStoredModel, restoreShard } from './loaders';
import { useLab } from './store';
import { storedWorkspace } from './workspace_client';

export function restoreWorkspace(): void {
  const workspace = storedWorkspace();
  if (!workspace) return;
  const state = useLab.getState();
  state.setCheckpointEvery(workspace.checkpointEvery);
  state.setMemoryBudget(workspace.memoryBudget);
  if (workspace.config !== null) state.restoreConfig(workspace.config);
  const model = workspace.model;
  if (model?.kind === 'demo') loadDemoModel();
  else if (model?.kind === 'stored') loadStoredModel(model.name);
  else if (model?.kind === 'hub') downloadFromHub(model.modelId);
  for (const shard of workspace.shards) restoreShard(shard);
  state.restoreRoles(workspace.roles);
}

/** "Import a cluster run": the metrics.jsonl and run_config.json an exported project (or the CLI) wrote. */
import { useRef } from 'react';
import { importClusterRun } from '../../store/cluster';
import { useLab } from '../../store/store';

export function ImportRun() {
  const input = useRef<HTMLInputElement>(null);
  const setNotice = useLab((s) => s.setNotice);
  const onFiles = async (list: FileList | null): Promise<void> => {
    if (!list || list.length === 0) return;
    setNotice(await importClusterRun([...list]));
    if (input.current) input.current.value = '';
  };
  return (
    <>
      <button type="button" className="secondary" onClick={() => input.current?.click()} title="A run trained with an exported PyTorch project or the lab's CLI: choose its metrics.jsonl and run_config.json together">
        Import a cluster run
      </button>
      <input ref={input} type="file" multiple accept=".jsonl,.json" hidden aria-label="Import a cluster run: its metrics.jsonl and run_config.json" data-testid="import-run" onChange={(e) => void onFiles(e.target.files)} />
    </>
  );
}

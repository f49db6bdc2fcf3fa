/**
 * Where dataset shards come in: drag and drop, or the file picker (its own labelled input), and the zone
 * itself is a keyboard control — Enter or Space opens the picker.
 */
import { useId, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { addShardFiles } from '../../store/loaders';

export function DropZone() {
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const hintId = useId();
  const [over, setOver] = useState(false);
  const take = (files: FileList | null): void => {
    if (files && files.length > 0) addShardFiles([...files]);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    take(e.dataTransfer.files);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      input.current?.click();
    }
  };
  return (
    <div
      className={`dropzone ${over ? 'over' : ''}`}
      role="button"
      tabIndex={0}
      aria-describedby={hintId}
      aria-label="Add dataset shards: drop files here, or press Enter to choose files"
      data-testid="data-dropzone"
      onKeyDown={onKey}
      onClick={(e) => e.target === e.currentTarget && input.current?.click()}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p id={hintId}>
        <strong>Drop dataset shards here</strong> — JSON Lines (.jsonl, .jsonl.gz), a JSON array or Parquet, with code and
        docstring fields (CodeSearchNet / CodeXGLUE AdvTest). A file named <code>valid</code> or <code>dev</code> becomes the
        validation set.
      </p>
      <label htmlFor={inputId} className="button-like">
        Choose dataset files…
      </label>
      <input
        ref={input}
        id={inputId}
        className="visually-hidden"
        type="file"
        multiple
        accept=".jsonl,.json,.gz,.parquet,application/json"
        data-testid="data-file-input"
        onChange={(e) => {
          take(e.target.files);
          e.target.value = '';
        }}
      />
    </div>
  );
}

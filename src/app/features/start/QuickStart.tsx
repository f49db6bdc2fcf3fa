/** The first-visit card: the bundled demo model and sample shard, one click away and fully offline. */
import { loadDemo } from '../../store/loaders';
import { useLab } from '../../store/store';

export function QuickStart() {
  const ready = useLab((s) => s.model !== null && s.shards.length > 0);
  const hasRuns = useLab((s) => s.runs.length > 0);
  if (ready) return null;
  return (
    <section className="card quickstart" aria-labelledby="quickstart-title">
      <h2 id="quickstart-title">{hasRuns ? 'Load the demo again' : 'New here? Try the lab in two clicks'}</h2>
      <p>
        Load the bundled <strong>demo model</strong> and <strong>demo dataset</strong> (2,500 functions of Python's standard
        library with their docstrings), then press <em>Start training</em>. Everything is served with the page: no
        download, no account.
      </p>
      <button type="button" className="primary" onClick={loadDemo} data-testid="load-demo">
        Load the demo model and sample data
      </button>
      <p className="muted small">
        The demo model is a <strong>tiny RoBERTa pre-trained on Python</strong> (masked-language modelling, minutes on
        a CPU): within a minute of training its validation MRR climbs well above where it starts. Real results need a
        real encoder such as <code>microsoft/codebert-base</code> — drop its folder in the Model panel.
      </p>
    </section>
  );
}

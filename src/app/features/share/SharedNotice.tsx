/**
 * What a share link restored, and what it still needs: the model to load and the dataset to drop (values from
 * the link are shown as text, never as markup). A broken link gets a plain message and changes nothing.
 */
import { useLab } from '../../store/store';

export function SharedNotice() {
  const shared = useLab((s) => s.shared);
  const error = useLab((s) => s.shareError);
  const model = useLab((s) => s.model);
  const dismiss = useLab((s) => s.dismissShared);
  if (error) {
    return (
      <div className="banner error" role="alert" data-testid="share-error">
        <p>{error}</p>
        <button type="button" className="link" onClick={dismiss}>Dismiss</button>
      </div>
    );
  }
  if (!shared) return null;
  const needsModel = model?.name !== shared.model;
  return (
    <div className="banner info" role="status" data-testid="shared-notice">
      <p>
        <strong>Configuration restored from a share link.</strong> It was made with the model <code>{shared.model}</code>
        {shared.dataset ? (
          <>
            {' '}and the dataset <code>{shared.dataset}</code>
          </>
        ) : null}
        .
      </p>
      <p>
        {needsModel ? (shared.model === 'demo' ? 'Load the demo model, ' : `Load ${shared.model}, `) : ''}
        {shared.dataset ? `drop ${shared.dataset} in the Data panel, ` : 'drop a dataset, '}
        then start training. The data itself is never part of a link.
      </p>
      <button type="button" className="link" onClick={dismiss}>Dismiss</button>
    </div>
  );
}

/** One-line notices (a run could not be queued, weights were downloaded), dismissable. */
import { useLab } from '../store/store';

export function Notice() {
  const notice = useLab((s) => s.notice);
  const setNotice = useLab((s) => s.setNotice);
  if (!notice) return null;
  return (
    <div className="banner notice" role="status" data-testid="notice">
      <p>{notice}</p>
      <button type="button" className="link" onClick={() => setNotice(null)}>Dismiss</button>
    </div>
  );
}

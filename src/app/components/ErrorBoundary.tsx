/**
 * The last line of defence: a drawing error anywhere below shows what happened and what to do, instead of a
 * blank page that stays blank on every reload. Stored runs and files are not touched.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  readonly error: Error | null;
}

export class ErrorBoundary extends Component<{ readonly children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('The lab failed to draw', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <main className="app" role="alert" data-testid="draw-error">
        <h1>The lab could not draw this page</h1>
        <p>{error.message}</p>
        <p>Your stored runs and files are untouched. Reload the page; if this comes back, please report it with the message above.</p>
        <button type="button" onClick={() => location.reload()}>
          Reload
        </button>
      </main>
    );
  }
}

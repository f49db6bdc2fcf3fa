/** A titled panel; the title labels the region for screen readers. */
import { useId, type ReactNode } from 'react';

export function Card({ title, children, className, testId, actions }: { readonly title: string; readonly children: ReactNode; readonly className?: string; readonly testId?: string; readonly actions?: ReactNode }) {
  const id = useId();
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={id} data-testid={testId}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

import type { ReactNode } from 'react';

/** An error shown where it happened (role=alert so screen readers announce it). */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

/** A progress indicator for any long action; keeps its place so the layout does not jump. */
export function Busy({ active, label = 'Working…' }: { active: boolean; label?: string }) {
  return (
    <span className="busy" aria-live="polite" data-active={active}>
      {active ? (
        <>
          <span className="spinner" aria-hidden="true" />
          {label}
        </>
      ) : null}
    </span>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      <div className="page-actions">{children}</div>
    </header>
  );
}

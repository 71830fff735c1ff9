import { cloneElement, isValidElement, type ReactElement, type ReactNode, useId, useState } from 'react';
import { Busy, ErrorNote } from './status';
import { type Action, useAction } from './use-action';

/**
 * One labelled control: a label tied to the control by id (a click on it focuses the control and
 * screen readers read it as the control's name), and a hint below tied by aria-describedby.
 * `inline` puts a checkbox before its label.
 */
export function Field({ label, hint, inline, children }: { label: ReactNode; hint?: ReactNode; inline?: boolean; children: ReactElement }) {
  const ownId = useId();
  const props = isValidElement(children) ? (children.props as { id?: string }) : {};
  const id = props.id ?? ownId;
  const hintId = `${id}-hint`;
  const control = isValidElement(children)
    ? cloneElement(children as ReactElement<{ id?: string; 'aria-describedby'?: string }>, { id, ...(hint ? { 'aria-describedby': hintId } : {}) })
    : children;
  const text = <label htmlFor={id}>{label}</label>;
  return (
    <div className={inline ? 'field inline' : 'field'}>
      {inline ? (
        <>
          {control}
          {text}
        </>
      ) : (
        <>
          {text}
          {control}
        </>
      )}
      {hint ? (
        <small className="muted hint" id={hintId}>
          {hint}
        </small>
      ) : null}
    </div>
  );
}

/**
 * The buttons of one action and what it is doing: a progress indicator while busy, its "done"
 * message, and its error right under the buttons (where it happened). Buttons inside should be
 * `disabled={action.busy}`.
 */
export function ActionRow({
  action,
  busyLabel,
  children,
}: {
  action: Pick<Action<never[], unknown>, 'busy' | 'error' | 'done'>;
  busyLabel?: string;
  children?: ReactNode;
}) {
  return (
    <div className="action">
      <div className="row">
        {children}
        <Busy active={action.busy} label={busyLabel} />
        {action.done && !action.busy && !action.error ? (
          <span className="ok" role="status">
            {action.done}
          </span>
        ) : null}
      </div>
      <ErrorNote error={action.error} />
    </div>
  );
}

/**
 * A step that says what it will do before it does it: the first button asks `preview` (the
 * server's preview, or a sentence made here), shows it in an alert dialog, and only its Confirm
 * button runs `confirm`. Cancel (or Escape) closes the dialog and changes nothing.
 */
export function ConfirmStep({
  label,
  preview,
  confirm,
  confirmLabel,
  buttonText,
  danger,
}: {
  label: string;
  /** A shorter visible text for the first button (its accessible name stays `label…`). */
  buttonText?: string;
  preview: () => Promise<ReactNode>;
  /** Runs the step; what it answers is shown as its result. */
  confirm: () => Promise<ReactNode>;
  confirmLabel?: string;
  danger?: boolean;
}) {
  const [shown, setShown] = useState<ReactNode>();
  const [result, setResult] = useState<ReactNode>();
  const ask = useAction(async () => {
    setResult(undefined);
    setShown((await preview()) ?? '');
  });
  const act = useAction(async () => {
    setResult((await confirm()) ?? '');
    setShown(undefined);
  });
  const titleId = useId();
  return (
    <div className="step">
      <div className="row">
        <button
          type="button"
          className={danger ? 'danger' : undefined}
          aria-label={buttonText ? `${label}…` : undefined}
          onClick={() => ask.run()}
          disabled={ask.busy || act.busy}
        >
          {buttonText ?? `${label}…`}
        </button>
        <Busy active={ask.busy || act.busy} />
      </div>
      {shown !== undefined ? (
        <div
          role="alertdialog"
          aria-labelledby={titleId}
          className="confirm"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setShown(undefined);
          }}
        >
          <p className="confirm-title" id={titleId}>
            {`${label}: what it will do`}
          </p>
          <div className="confirm-text">{shown}</div>
          <div className="row">
            <button
              type="button"
              className={danger ? 'danger' : 'primary'}
              // biome-ignore lint/a11y/noAutofocus: the dialog's one decision takes the focus when it opens
              autoFocus
              disabled={act.busy}
              onClick={() => act.run()}
            >
              {confirmLabel ?? `Confirm: ${label.toLowerCase()}`}
            </button>
            <button type="button" onClick={() => setShown(undefined)} disabled={act.busy}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      <ErrorNote error={ask.error ?? act.error} />
      {result !== undefined && shown === undefined ? (
        <div className="ok" role="status">
          {result}
        </div>
      ) : null}
    </div>
  );
}

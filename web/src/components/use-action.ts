import { useCallback, useRef, useState } from 'react';

export interface Action<A extends unknown[], R> {
  /** Runs the action; resolves to its result, or undefined when it failed (the error is kept). */
  run: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  /** The last run's error, shown where the action was started (ActionRow, ErrorNote). */
  error: unknown;
  /** What the last successful run said it did ("Saved."); cleared when a new run starts. */
  done: string;
  setError: (e: unknown) => void;
  /** Forgets the error and the done message (e.g. when the form changes). */
  reset: () => void;
}

/**
 * One user action (a button, a form submit): busy while it runs, its error kept for the place
 * that started it, and an optional "done" message from `done` (a text, or made from the result).
 * A second run while one is busy is ignored (double clicks).
 */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>, opts: { done?: string | ((result: R) => string) } = {}): Action<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState('');
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const doneRef = useRef(opts.done);
  doneRef.current = opts.done;
  const running = useRef(false);
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setError(undefined);
    setDone('');
    try {
      const result = await fnRef.current(...args);
      const d = doneRef.current;
      setDone(typeof d === 'function' ? d(result) : (d ?? ''));
      return result;
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  const reset = useCallback(() => {
    setError(undefined);
    setDone('');
  }, []);
  return { run, busy, error, done, setError, reset };
}

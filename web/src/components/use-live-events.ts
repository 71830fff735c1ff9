import { useEffect, useRef, useState } from 'react';
import { eventsUrl } from '../api/client';

/** Subscribes to GET /api/events (ticket from POST /api/events/ticket); calls onEvent per frame. */
export function useLiveEvents(onEvent: (type: string) => void): 'connecting' | 'live' | 'offline' {
  const [state, setState] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    let source: EventSource | null = null;
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = async () => {
      try {
        const url = await eventsUrl();
        if (closed) return;
        source = new EventSource(url);
        source.onopen = () => setState('live');
        source.onerror = () => {
          // The ticket is single-use at connect: reconnect with a fresh one.
          source?.close();
          setState('offline');
          if (!closed) retry = setTimeout(open, 3000);
        };
        for (const type of ['job.queued', 'job.started', 'job.progress', 'job.completed', 'job.failed', 'queue.progress']) {
          source.addEventListener(type, () => handler.current(type));
        }
      } catch {
        setState('offline');
        if (!closed) retry = setTimeout(open, 5000);
      }
    };
    void open();
    return () => {
      closed = true;
      clearTimeout(retry);
      source?.close();
    };
  }, []);
  return state;
}

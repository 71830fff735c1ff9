import { describe, expect, it } from 'vitest';
import { CLIENT_HISTORY_FRESH_MS, CLIENT_HISTORY_MAX_AGE_MS, createClientHistoryMemo } from '../../src/activity/activity.client-history.js';

/** A load the test answers by hand, counting the calls. */
function loads<T>() {
  const pending: { resolve: (v: T) => void; reject: (e: Error) => void }[] = [];
  return {
    calls: () => pending.length,
    load: () => new Promise<T>((resolve, reject) => pending.push({ resolve, reject })),
    answer: (n: number, v: T) => pending[n]!.resolve(v),
    fail: (n: number) => pending[n]!.reject(new Error('client down')),
  };
}

/** Whether a promise has settled by the time the queued callbacks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('client history memo (the first activity history page)', () => {
  it('asks the clients once for requests that arrive together, then serves the answer while fresh', async () => {
    let now = 1_000;
    const memo = createClientHistoryMemo<string[]>({ now: () => now });
    const l = loads<string[]>();
    const a = memo.get('sab', l.load);
    const b = memo.get('sab', l.load);
    expect(l.calls()).toBe(1);
    expect(await settled(a)).toBe(false); // nothing remembered yet: the first request waits
    l.answer(0, ['x']);
    expect(await a).toEqual(['x']);
    expect(await b).toEqual(['x']);
    now += CLIENT_HISTORY_FRESH_MS - 1;
    expect(await memo.get('sab', l.load)).toEqual(['x']);
    expect(l.calls()).toBe(1);
  });

  it('serves a stale answer at once and refreshes it behind (one call), without waiting for the clients', async () => {
    let now = 0;
    const memo = createClientHistoryMemo<string[]>({ now: () => now });
    const l = loads<string[]>();
    memo.remember('sab', ['old'], now);
    now += CLIENT_HISTORY_FRESH_MS;
    const a = memo.get('sab', l.load);
    expect(await settled(a)).toBe(true); // the client has not answered, the page has
    expect(await a).toEqual(['old']);
    expect(await memo.get('sab', l.load)).toEqual(['old']);
    expect(l.calls()).toBe(1); // the second stale request shares the refresh under way
    l.answer(0, ['new']);
    await new Promise((r) => setImmediate(r));
    expect(await memo.get('sab', l.load)).toEqual(['new']);
    expect(l.calls()).toBe(1);
  });

  it('keeps the stale answer when its refresh fails, and tries again on the next request', async () => {
    let now = 0;
    const memo = createClientHistoryMemo<string[]>({ now: () => now });
    const l = loads<string[]>();
    memo.remember('sab', ['old'], now);
    now += CLIENT_HISTORY_FRESH_MS;
    expect(await memo.get('sab', l.load)).toEqual(['old']);
    l.fail(0);
    await new Promise((r) => setImmediate(r));
    expect(await memo.get('sab', l.load)).toEqual(['old']);
    expect(l.calls()).toBe(2);
  });

  it('waits for the clients when their settings changed or the answer is too old', async () => {
    let now = 0;
    const memo = createClientHistoryMemo<string[]>({ now: () => now });
    const l = loads<string[]>();
    memo.remember('sab@a', ['a'], now);
    const other = memo.get('sab@b', l.load);
    expect(await settled(other)).toBe(false);
    l.answer(0, ['b']);
    expect(await other).toEqual(['b']);
    now += CLIENT_HISTORY_MAX_AGE_MS;
    const old = memo.get('sab@b', l.load);
    expect(await settled(old)).toBe(false);
    l.answer(1, ['b2']);
    expect(await old).toEqual(['b2']);
  });

  it('a failed first call fails the request (as before) and remembers nothing', async () => {
    const memo = createClientHistoryMemo<string[]>({ now: () => 0 });
    const l = loads<string[]>();
    const a = memo.get('sab', l.load);
    l.fail(0);
    await expect(a).rejects.toThrow('client down');
    const b = memo.get('sab', l.load);
    expect(l.calls()).toBe(2);
    l.answer(1, ['x']);
    expect(await b).toEqual(['x']);
  });

  it('an older call that ends late does not replace a newer answer', async () => {
    let now = 0;
    const memo = createClientHistoryMemo<string[]>({ now: () => now });
    const l = loads<string[]>();
    const slow = memo.get('sab', l.load); // asked at 0
    now = 10;
    memo.remember('sab', ['newer'], now); // the whole history, asked at 10
    l.answer(0, ['older']);
    expect(await slow).toEqual(['older']); // its own request gets what it waited for
    expect(await memo.get('sab', l.load)).toEqual(['newer']);
  });
});

/**
 * A value of a streamed legacy file longer than its reader takes (stream-library.ts,
 * maxElementBytes): `bytes` long, starting at byte `offset`. Thrown before the value is decoded,
 * so a reader with a bounded heap (a worker thread) can ask for a larger one instead of failing.
 */
export class ElementTooLarge extends Error {
  constructor(
    readonly bytes: number,
    readonly offset: number,
  ) {
    super(`a value of ${bytes} bytes at byte ${offset} is larger than this reader takes`);
  }
}

import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { nextTurn } from './turns.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends `<head>[item, ...]}` from batches: the first batch is read before anything is sent (so a
 * storage error is still a clean 500), a single batch goes out as one string, and longer lists
 * stream batch by batch with backpressure. A big list (a 1M-item library, a long wanted list
 * under a thousand connections) is never held as one array plus one giant string per request.
 * `head` opens the object up to the array, e.g. `{"ok":true,"items":`.
 */
export async function sendJsonList<T>(reply: FastifyReply, head: string, batches: AsyncGenerator<T[]>): Promise<FastifyReply> {
  // Each batch becomes its JSON text as soon as it is read: a response waiting to be sent holds
  // text, not objects.
  const texts = (async function* (): AsyncGenerator<string, void, undefined> {
    for await (const batch of batches) if (batch.length) yield batch.map((i) => JSON.stringify(i)).join(',');
  })();
  const first = await texts.next();
  if (first.done) return reply.type(JSON_TYPE).send(`${head}[]}`);
  const firstText = first.value;
  const second = await texts.next();
  if (second.done) return reply.type(JSON_TYPE).send(`${head}[${firstText}]}`);
  const secondText = second.value;
  async function* chunks(): AsyncGenerator<string> {
    yield `${head}[${firstText},${secondText}`;
    // Each further batch (synchronous on SQLite) waits for a turn of the loop like a request
    // (turns.ts): a thousand streamed lists never hold the loop from accepting and answering.
    for (;;) {
      await nextTurn();
      const next = await texts.next();
      if (next.done) break;
      yield `,${next.value}`;
    }
    yield ']}';
  }
  return reply.type(JSON_TYPE).send(Readable.from(chunks()));
}

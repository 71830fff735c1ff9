import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends `<head>[item, ...]}` from batches: the first batch is read before anything is sent (so a
 * storage error is still a clean 500), a single batch goes out as one string, and longer lists
 * stream batch by batch with backpressure. A big list (a 1M-item library, a long wanted list
 * under a thousand connections) is never held as one array plus one giant string per request.
 * `head` opens the object up to the array, e.g. `{"ok":true,"items":`.
 */
export async function sendJsonList<T>(reply: FastifyReply, head: string, batches: AsyncGenerator<T[]>): Promise<FastifyReply> {
  const join = (items: T[]) => items.map((i) => JSON.stringify(i)).join(',');
  const nonEmpty = (async function* (): AsyncGenerator<T[], void, undefined> {
    for await (const batch of batches) if (batch.length) yield batch;
  })();
  const first = await nonEmpty.next();
  if (first.done) return reply.type(JSON_TYPE).send(`${head}[]}`);
  const firstItems = first.value;
  const second = await nonEmpty.next();
  if (second.done) return reply.type(JSON_TYPE).send(`${head}[${join(firstItems)}]}`);
  const secondItems = second.value;
  async function* chunks(): AsyncGenerator<string> {
    yield `${head}[${join(firstItems)},${join(secondItems)}`;
    for await (const batch of nonEmpty) yield `,${join(batch)}`;
    yield ']}';
  }
  return reply.type(JSON_TYPE).send(Readable.from(chunks()));
}

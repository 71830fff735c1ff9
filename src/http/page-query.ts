/** Query-string pieces shared by the admin list routes (keyset pages of 1..500 rows). */
import { z } from 'zod';

/** `limit`: rows per page, 1..500, 100 when absent; the message names the field. */
export const pageLimit = z.coerce
  .number({ message: 'limit must be a number' })
  .int('limit must be an integer')
  .min(1, 'limit must be 1..500')
  .max(500, 'limit must be 1..500')
  .default(100);

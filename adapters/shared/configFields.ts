/**
 * Config fields the adapters' schemas share, so that each reads and reports
 * them the same way.
 */
import { z } from 'zod';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The name of an environment variable (never its value): how configs name secrets. */
export const envNameSchema = z
  .string()
  .regex(ENV_NAME, { message: 'expected the name of an environment variable (letters, digits, underscores)' })
  .describe('name of an environment variable that holds the secret');

/** A provider, region, zone or resource id. */
export const idSchema = z.string().min(1);

/** A TCP port. */
export const portSchema = z.number().int().min(1).max(65535);

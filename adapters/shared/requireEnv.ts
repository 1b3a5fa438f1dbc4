/**
 * A secret from the environment an adapter was given. The error names the
 * variable and the config key that names it, never a value.
 *
 * @throws Error when the variable is unset or empty.
 */
export function requireEnv(env: Readonly<Record<string, string | undefined>>, name: string, key: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} (named by ${key} in the config) is not set`);
  return value;
}

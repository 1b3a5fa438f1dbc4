import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ApiSetupError } from './ApiSetupError.js';

/** A certificate chain and its private key, PEM. */
export interface TlsKeyPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * The API's TLS certificate and key files. Read at start and again on each
 * reload (SIGHUP), so a renewed certificate is served without a restart.
 */
export class TlsCredentials {
  constructor(
    readonly certFile: string,
    readonly keyFile: string,
  ) {}

  /**
   * Reads both files and checks that they make a usable pair.
   *
   * @throws {@link ApiSetupError} naming the file or the mismatch (never the key's content).
   */
  load(): TlsKeyPair {
    const read = (file: string, what: string) => {
      try {
        return readFileSync(file);
      } catch (error) {
        throw new ApiSetupError(`cannot read the TLS ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    };
    const pair = { cert: read(this.certFile, 'certificate (api.tls.cert)'), key: read(this.keyFile, 'key (api.tls.key)') };
    try {
      createSecureContext(pair);
    } catch (error) {
      throw new ApiSetupError(`the TLS certificate ${this.certFile} and key ${this.keyFile} are not a usable pair: ${(error as Error).message.split('\n')[0]}`);
    }
    return pair;
  }
}

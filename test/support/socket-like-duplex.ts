import { Duplex } from "node:stream";

/**
 * A Duplex that http.Server and http.ClientRequest can use as their socket: they call these TCP
 * option setters, which a tunnel channel or an in-memory end has nothing to apply to.
 */
export class SocketLikeDuplex extends Duplex {
  setTimeout(_ms: number, _cb?: () => void): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
}

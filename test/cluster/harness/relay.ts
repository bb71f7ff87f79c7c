import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";

/**
 * A TCP relay on loopback in front of the test apiserver: a second address for the same cluster
 * (a "moved" cluster), and an outage a test can cause and end without stopping the apiserver the
 * other suites share. TLS passes through untouched: the apiserver's certificate names 127.0.0.1,
 * whatever the port.
 */
export class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private silent = false;

  private constructor(
    private readonly target: { host: string; port: number },
    public port: number,
  ) {}

  /** A relay to `server` (https://127.0.0.1:6443) on a free port, or on `port`. */
  static async open(server: string, port = 0): Promise<Relay> {
    const url = new URL(server);
    const relay = new Relay({ host: url.hostname, port: Number(url.port) }, port);
    await relay.listen();
    return relay;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Nothing listens any more and every open connection is cut: connections are refused. */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Packets dropped, as a firewall or a lost VPN does: open connections stay open but nothing
   * passes any more, and new ones are accepted and never answered.
   */
  drop(): void {
    this.silent = true;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  /** Relays again on the same port, as the server coming back. */
  async restore(): Promise<void> {
    await this.refuse();
    this.silent = false;
    await this.listen();
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private relay(client: Socket): void {
    this.track(client);
    if (this.silent) return void client.pause();
    const upstream = connect(this.target.port, this.target.host);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close);
    upstream.on("close", close);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.sockets.delete(socket));
  }
}

import net from 'node:net';

/**
 * A TCP forwarder in front of a real database server, to make it misbehave on demand: refuse the next
 * connections, sever every open one (a server restart or a NAT dropping idle sessions), or stop
 * listening altogether (the server is down) and come back.
 */
export class TcpProxy {
  /** Connections accepted so far, refused ones included. */
  accepted = 0;
  private refuseNext = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly clients = new Set<net.Socket>();
  private server: net.Server;

  private listeningOn = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer();
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen(0);
    return proxy;
  }

  get port(): number {
    return this.listeningOn;
  }

  /** Client connections open through the proxy now. */
  get openConnections(): number {
    return this.clients.size;
  }

  /** The next `n` connections are accepted and reset at once, before the server says anything. */
  refuse(n: number): void {
    this.refuseNext = n;
  }

  /** Closes every open connection, both ways, as a server restart would. */
  severAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.clients.clear();
  }

  /** Stops listening (connections are refused) and severs the open ones. */
  async stop(): Promise<void> {
    this.severAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    this.server = net.createServer();
    await this.listen(this.port);
  }

  /** A copy of `url` that goes through this proxy. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  private async listen(port: number): Promise<void> {
    this.server.on('connection', (client) => this.forward(client));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (address && typeof address === 'object') this.listeningOn = address.port;
  }

  private forward(client: net.Socket): void {
    this.accepted++;
    if (this.refuseNext > 0) {
      this.refuseNext--;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    this.clients.add(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      this.clients.delete(client);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** host and port of a database URL, for the proxy's target. */
export function targetOf(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}

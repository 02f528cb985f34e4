import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { Agent as HttpAgent, ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import type { DeliveryAgentOptions } from '../notifications-admin-options.interface';
import { DestinationPolicy } from './destination-policy';

/** Forward proxies are plain http (parseProxyUrl); https destinations are tunnelled through them. */
type ProxyUri = `http://${string}`;
type TunnelConnectOptions = Parameters<HttpsProxyAgent<ProxyUri>['connect']>[1];

/** Sockets per destination: one retrigger's 25 sends never queue behind each other. */
const MAX_SOCKETS_PER_DESTINATION = 64;
/**
 * The TCP keep-alive delay axios sets on every request's socket. The agent
 * sets its own each time it pools a socket; with the same value node skips
 * the system call, where alternating values cost two per send.
 */
const TCP_KEEPALIVE_MS = 60_000;

/**
 * The keep-alive agents of the delivery client, one per scheme, built once
 * from the module's options and closed with it.
 *
 * Direct: node's agents, whose DNS lookup is the private-network guard, so
 * the address checked is the address connected to.
 *
 * Through a forward proxy (maintained agents, http-proxy-agent and
 * https-proxy-agent): absolute-form requests for http destinations and
 * CONNECT tunnels for https ones, both kept alive. The proxy's own address
 * is not a webhook destination and is resolved by the system's DNS;
 * WebhookDelivery has the guard check each destination before the send.
 * axios's built-in `proxy` option is not used: its CONNECT agent pools no
 * sockets, and its http path would connect to the proxy through the guarded
 * agent, refusing any proxy on a private network.
 */
@Injectable()
export class DeliveryAgents implements OnModuleDestroy {
  readonly http: HttpAgent;
  readonly https: HttpAgent;
  /** The forward proxy every delivery goes through; null: direct. */
  readonly proxy: URL | null;
  /** The proxy's answer to a CONNECT it did not accept, by the request that asked for it. */
  private readonly refusedTunnels = new WeakMap<ClientRequest, number>();

  constructor(destinations: DestinationPolicy, @Inject(NOTIFICATIONS_ADMIN_CONFIG) config: NotificationsAdminConfig) {
    const { proxy, agentOptions } = config.httpClient;
    const options = {
      maxSockets: MAX_SOCKETS_PER_DESTINATION,
      ...agentOptions,
      keepAlive: true,
      keepAliveMsecs: TCP_KEEPALIVE_MS,
    };
    this.proxy = proxy;
    if (proxy === null) {
      this.http = new HttpAgent({ ...options, lookup: destinations.lookup });
      this.https = new HttpsAgent({ ...options, lookup: destinations.lookup });
      return;
    }
    // The host's TLS options are for receivers, not for the plain TCP connection to the proxy.
    const proxyOptions = {
      keepAlive: true,
      keepAliveMsecs: TCP_KEEPALIVE_MS,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxFreeSockets,
    };
    this.http = new HttpProxyAgent<ProxyUri>(proxy, proxyOptions);
    const tunnels = new TunnellingAgent(proxy, proxyOptions, agentOptions);
    tunnels.on('proxyConnect', (answer: { statusCode: number }, request: ClientRequest) => {
      if (answer.statusCode !== 200) {
        this.refusedTunnels.set(request, answer.statusCode);
      }
    });
    this.https = tunnels;
  }

  /**
   * The status the proxy answered when it would not open the tunnel for this
   * request (https-proxy-agent then hands the proxy's answer to the client
   * as if the receiver had sent it), or undefined.
   */
  tunnelRefusal(request: unknown): number | undefined {
    return request instanceof ClientRequest ? this.refusedTunnels.get(request) : undefined;
  }

  onModuleDestroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/**
 * https-proxy-agent takes the TLS options for the receiver (past the tunnel)
 * from each request, and axios passes none: the host's agent options (a CA
 * it trusts, a client certificate) are added here.
 */
class TunnellingAgent extends HttpsProxyAgent<ProxyUri> {
  constructor(
    proxy: URL,
    options: ConstructorParameters<typeof HttpsProxyAgent<ProxyUri>>[1],
    private readonly receiverTls: DeliveryAgentOptions,
  ) {
    super(proxy, options);
  }

  override connect(request: ClientRequest, options: TunnelConnectOptions): Promise<Socket> {
    return super.connect(request, { ...this.receiverTls, ...options });
  }
}

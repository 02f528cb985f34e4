import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import { ReasonCode } from '../outcomes/reason-code.enum';

/** Raised when a destination may not be contacted; nothing was sent. */
export class BlockedDestinationError extends Error {
  readonly code = 'EBLOCKEDDESTINATION';

  constructor(message: string) {
    super(message);
    this.name = 'BlockedDestinationError';
  }
}

/**
 * IANA reserves ::/8. ipaddr.js names its loopback, unspecified and
 * IPv4-mapped parts but calls the rest, such as the deprecated IPv4-compatible
 * `::7f00:1`, unicast; some stacks still route those to the embedded IPv4.
 */
const IPV6_RESERVED = ipaddr.parseCIDR('::/8');

/** Why a destination cannot be sent to, decided before any connection. */
export interface DestinationRefusal {
  reason: ReasonCode.BlockedDestination;
  error: string;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

interface LookupOptions {
  family?: number | string;
  all?: boolean;
  hints?: number;
}

/**
 * The private-network (SSRF) guard. A destination is allowed only when every
 * address it resolves to is public unicast. The check runs inside the HTTP
 * agent's DNS lookup, so the address that was checked is the address the
 * socket connects to: DNS cannot change between check and connect.
 */
@Injectable()
export class DestinationPolicy {
  constructor(@Inject(NOTIFICATIONS_ADMIN_CONFIG) private readonly config: NotificationsAdminConfig) {}

  /**
   * Checks what can be checked before connecting: the scheme and an IP
   * literal host (Node does not call `lookup` for literals). Returns the
   * parsed URL.
   */
  checkUrl(rawUrl: string): URL {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new BlockedDestinationError('webhook URL is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new BlockedDestinationError(
        `webhook URL scheme ${url.protocol.replace(':', '')} is not allowed; use http or https`,
      );
    }
    const host = bareHost(url);
    if (isIP(host)) {
      this.checkAddress(host, host);
    }
    return url;
  }

  /**
   * What a send to `rawUrl` would meet before its first byte, without
   * connecting: the URL checks, then checkResolved (the host name resolved
   * and every address checked, as the agents' lookup does). Null when the
   * guard lets the send go ahead: a name that does not resolve (or not within
   * `timeoutMs`) is not the guard's to refuse, and its failure is the send's
   * to meet.
   */
  async checkDestination(rawUrl: string, timeoutMs: number): Promise<DestinationRefusal | null> {
    let url: URL;
    try {
      url = this.checkUrl(rawUrl);
    } catch (error) {
      return { reason: ReasonCode.BlockedDestination, error: (error as BlockedDestinationError).message };
    }
    try {
      await this.checkResolved(url, AbortSignal.timeout(timeoutMs));
      return null;
    } catch (error) {
      return error instanceof BlockedDestinationError
        ? { reason: ReasonCode.BlockedDestination, error: error.message }
        : null;
    }
  }

  /**
   * For sends a forward proxy connects for us, where no lookup of ours sees
   * the destination's addresses: resolves the host and checks every address
   * before anything is sent. Rejects with BlockedDestinationError, the DNS
   * error, or the signal's reason when the deadline passes first. With the
   * guard lifted there is nothing to check and the proxy alone resolves.
   */
  async checkResolved(url: URL, signal: AbortSignal): Promise<void> {
    const host = bareHost(url);
    if (this.config.allowPrivateNetworks || isIP(host)) {
      return; // an IP literal was checked by checkUrl
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new Error('the deadline passed while resolving the destination'));
      signal.addEventListener('abort', onAbort, { once: true });
      this.lookup(host, { all: true }, (error) => {
        signal.removeEventListener('abort', onAbort);
        if (error) {
          reject(error);
        } else {
          resolve();
        }
      });
    });
  }

  /** A `dns.lookup`-compatible function for http(s) agents. */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const family = typeof options.family === 'number' ? options.family : 0;
    dnsLookup(hostname, { all: true, family, hints: options.hints }, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }
      try {
        for (const { address } of addresses) {
          this.checkAddress(hostname, address);
        }
      } catch (blocked) {
        callback(blocked as BlockedDestinationError, []);
        return;
      }
      if (options.all) {
        callback(null, addresses);
      } else {
        callback(null, addresses[0].address, addresses[0].family);
      }
    });
  };

  private checkAddress(hostname: string, address: string): void {
    if (this.config.allowPrivateNetworks) {
      return;
    }
    const parsed = ipaddr.process(address);
    const range =
      parsed.kind() === 'ipv6' && parsed.match(IPV6_RESERVED) && parsed.range() === 'unicast'
        ? 'reserved'
        : parsed.range();
    if (range !== 'unicast') {
      const where = hostname === address ? address : `${hostname} resolves to ${address}`;
      throw new BlockedDestinationError(
        `destination blocked: ${where}, a ${range} address; private network destinations are not allowed`,
      );
    }
  }
}

/** The URL's host name, an IPv6 literal without its brackets. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

import type { PeerCertificate, TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { clientCertHeadersSpec, type PluginConfigOf } from '@sluice/model';
import { definePlugin, type ShortCircuit } from './plugin.js';

type Config = PluginConfigOf<typeof clientCertHeadersSpec>;

/**
 * client-cert-headers: the client certificate's verdict and names, as ingress-nginx sends
 * them with auth-tls-pass-certificate-to-upstream. The headers are always set (NONE when
 * there is no certificate), so a client cannot forge them.
 */
export const clientCertHeadersPlugin = definePlugin({
  spec: clientCertHeadersSpec,
  prepare: (config: Config) => ({
    passCertificate: config.passCertificate ?? false,
    refusal: config.errorPage === undefined ? undefined : { status: 302, headers: { location: config.errorPage } },
  }),
  rewrite(ctx, c): ShortCircuit | undefined {
    const socket = ctx.socket as TLSSocket | undefined;
    const peer = socket?.encrypted === true ? socket.getPeerCertificate(true) : undefined;
    const hasCert = peer !== undefined && peer.raw !== undefined;
    const verified = hasCert && socket!.authorized;
    if (!verified && c.refusal !== undefined) return c.refusal;
    ctx.setUpstreamHeader('ssl-client-verify', !hasCert ? 'NONE' : verified ? 'SUCCESS' : `FAILED:${String(socket!.authorizationError)}`);
    ctx.setUpstreamHeader('ssl-client-subject-dn', hasCert ? distinguishedName(peer.subject) : '');
    ctx.setUpstreamHeader('ssl-client-issuer-dn', hasCert ? distinguishedName(peer.issuer) : '');
    if (c.passCertificate) ctx.setUpstreamHeader('ssl-client-cert', hasCert ? encodeURIComponent(pemOf(peer)) : '');
    else ctx.removeUpstreamHeader('ssl-client-cert');
    return undefined;
  },
});

/** nginx's RFC 2253 order: most specific first, `CN=client,O=Example`. */
function distinguishedName(name: PeerCertificate['subject'] | undefined): string {
  if (name === undefined) return '';
  return Object.entries(name)
    .reverse()
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${key}=${String(v).replace(/([,+"\\<>;])/g, '\\$1')}`))
    .join(',');
}

function pemOf(peer: PeerCertificate): string {
  return new X509Certificate(peer.raw).toString();
}

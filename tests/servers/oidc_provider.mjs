// A real OAuth 2.0 / OpenID authorization server for linkdeck's contract tests (panva's
// oidc-provider, pinned in package.json). Started by tests/servers/oidc.py; never used outside tests.
//
//   node tests/servers/oidc_provider.mjs [PORT]      (PORT 0 or absent: a free port)
//
// Binds 127.0.0.1 only. The port is chosen by the OS *before* the provider is built, so the issuer
// URL is exact and the Python fixture never races for a port. Prints "READY <issuer>" when ready.
//
// Clients (all in memory, reset on every start):
//   linkdeck-native        public native app (token_endpoint_auth_method none): PKCE S256 required,
//                          loopback redirects on any port (RFC 8252 §7.3), the oob URN, refresh
//                          tokens with rotation, RFC 7009 revocation.
//   linkdeck-confidential  the same with a client secret (client_secret_basic), for the
//                          authenticated token / revocation paths.
//   linkdeck-device        RFC 8628 device authorization grant.
// Logins are the dev interactions: any login name, any password.
import http from 'node:http';
import { Provider } from 'oidc-provider';

const requested = Number(process.argv[2] ?? 0);
const server = http.createServer();

server.listen(requested, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const loopback = ['http://127.0.0.1/callback', 'http://127.0.0.1/relay/callback', 'urn:ietf:wg:oauth:2.0:oob'];
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'linkdeck-native',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: loopback,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: 'linkdeck-confidential',
        client_secret: 'ci-only-confidential-secret',
        application_type: 'native',
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: loopback,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: 'linkdeck-device',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: [],
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
      },
    ],
    cookies: { keys: ['ci-only-not-secret'] },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
    },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'profile'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    async findAccount(ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, name: `User ${sub}`, preferred_username: sub };
        },
      };
    },
  });
  server.on('request', provider.callback());
  console.log('READY', issuer);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

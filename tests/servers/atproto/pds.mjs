// A real Bluesky PDS (@atproto/pds, pinned in package.json) with a local in-memory PLC directory
// (@did-plc/server), for linkdeck's end-to-end Bluesky tests. Started by tests/servers/pds.py; never
// used outside tests. No internet: the PLC is local, there is no AppView, no crawler, no email.
//
//   node tests/servers/atproto/pds.mjs DATA_DIR [PLC_PORT] [PDS_PORT]    (0 or absent: a free port)
//
// Both servers bind 127.0.0.1 only (PDS.start() and PlcServer.start() call app.listen(port), which
// would listen on every interface; their app.listen is wrapped to add the host). The PDS's public
// URL is http://localhost:PDS_PORT (the PDS allows plain http only for the host name "localhost"),
// which is what the PLC directory records as the account's service endpoint.
//
// Prints one line "READY pds=http://127.0.0.1:P plc=http://127.0.0.1:Q" when both are listening.
// Accounts need no invite code; rate limits are off. SIGTERM / SIGINT stop both and exit 0.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import pdsModule from '@atproto/pds';
import plcModule from '@did-plc/server';
import cryptoModule from '@atproto/crypto';

const { PDS, envToCfg, envToSecrets, readEnv } = pdsModule;
const { PlcServer, Database: PlcDatabase } = plcModule;
const { Secp256k1Keypair } = cryptoModule;

const HOST = '127.0.0.1';

async function freePort(requested) {
  if (requested) return requested;
  const probe = http.createServer();
  await new Promise((resolve) => probe.listen(0, HOST, resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function loopbackOnly(app) {
  const listen = app.listen.bind(app);
  app.listen = (port, ...rest) => listen(port, HOST, ...rest.filter((a) => typeof a === 'function'));
}

const [dataDir, plcArg, pdsArg] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node pds.mjs DATA_DIR [PLC_PORT] [PDS_PORT]');
  process.exit(2);
}
fs.mkdirSync(path.join(dataDir, 'blobs'), { recursive: true });

const plcPort = await freePort(Number(plcArg ?? 0));
const plc = PlcServer.create({ db: PlcDatabase.mock(), port: plcPort });
loopbackOnly(plc.app);
await plc.start();

const pdsPort = await freePort(Number(pdsArg ?? 0));
const rotationKey = await Secp256k1Keypair.create({ exportable: true });
const env = {
  PDS_HOSTNAME: 'localhost',
  PDS_PORT: String(pdsPort),
  PDS_DEV_MODE: 'true',
  PDS_DATA_DIRECTORY: dataDir,
  PDS_BLOBSTORE_DISK_LOCATION: path.join(dataDir, 'blobs'),
  PDS_DID_PLC_URL: `http://${HOST}:${plcPort}`,
  PDS_JWT_SECRET: crypto.randomBytes(16).toString('hex'),
  PDS_ADMIN_PASSWORD: crypto.randomBytes(16).toString('hex'),
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: Buffer.from(await rotationKey.export()).toString('hex'),
  PDS_INVITE_REQUIRED: 'false',
  PDS_CRAWLERS: '',
  PDS_RATE_LIMITS_ENABLED: 'false',
  PDS_SERVICE_HANDLE_DOMAINS: '.test',
  LOG_ENABLED: process.env.LOG_ENABLED ?? 'false',
};
Object.assign(process.env, env);
const pds = await PDS.create(envToCfg(readEnv()), envToSecrets(readEnv()));
loopbackOnly(pds.app);
await pds.start();

console.log(`READY pds=http://${HOST}:${pdsPort} plc=http://${HOST}:${plcPort}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await pds.destroy();
    await plc.destroy();
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// Signs an access token with jose, as a third-party issuer would: a fresh key pair of the requested algorithm, the public
// half printed as a JWK for the test to publish. stdin: {"alg","kid","claims"}; stdout: {"jwk","token"}.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(process.env.KIT_NODE_TOOLS + '/');
const jose = require('jose');
const input = JSON.parse(readFileSync(0, 'utf8'));

const { publicKey, privateKey } = await jose.generateKeyPair(input.alg, { modulusLength: 2048, extractable: true });
const jwk = { ...(await jose.exportJWK(publicKey)), kid: input.kid, alg: input.alg, use: 'sig' };
const token = await new jose.SignJWT(input.claims)
  .setProtectedHeader({ alg: input.alg, kid: input.kid, typ: 'at+jwt' })
  .sign(privateKey);
process.stdout.write(JSON.stringify({ jwk, token }));

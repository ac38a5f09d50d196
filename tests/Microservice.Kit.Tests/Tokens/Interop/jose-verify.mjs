// Verifies a token with jose through the issuer's JWKS URL, checking what RFC 9068 asks of an access token.
// stdin: {"token","jwksUrl","issuer","audience","algorithms"}; stdout: {"protectedHeader","payload"}; exit 1 when invalid.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(process.env.KIT_NODE_TOOLS + '/');
const jose = require('jose');
const input = JSON.parse(readFileSync(0, 'utf8'));

const jwks = jose.createRemoteJWKSet(new URL(input.jwksUrl));
const { protectedHeader, payload } = await jose.jwtVerify(input.token, jwks, {
  issuer: input.issuer,
  audience: input.audience,
  algorithms: input.algorithms,
  typ: 'at+jwt',
  requiredClaims: ['exp', 'iat', 'sub', 'jti'],
});
process.stdout.write(JSON.stringify({ protectedHeader, payload }));

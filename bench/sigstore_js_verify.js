// The sigstore-js row of `make bench`: verify one artifact with @sigstore/verify.
//
//   node sigstore_js_verify.js TRUSTED_ROOT BUNDLE ARTIFACT IDENTITY ISSUER
//
// The same trusted_root.json srcverify uses, the bundle, the artifact file (read and
// hashed by sigstore-js itself) and the exact SAN and OIDC issuer the certificate must
// carry. Offline: @sigstore/verify never touches the network. Exits 0 when the bundle
// verifies, 1 with the error otherwise. NODE_PATH must point at the bench's node_modules.
"use strict";

const fs = require("fs");
const { bundleFromJSON } = require("@sigstore/bundle");
const { TrustedRoot } = require("@sigstore/protobuf-specs");
const { Verifier, toSignedEntity, toTrustMaterial } = require("@sigstore/verify");

const [rootPath, bundlePath, artifactPath, identity, issuer] = process.argv.slice(2);
try {
  const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, "utf8")));
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, "utf8")));
  const entity = toSignedEntity(bundle, fs.readFileSync(artifactPath));
  const verifier = new Verifier(toTrustMaterial(root));
  verifier.verify(entity, { subjectAlternativeName: identity, extensions: { issuer } });
} catch (error) {
  console.error(`sigstore-js: ${error}`);
  process.exit(1);
}

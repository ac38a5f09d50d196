// Validates one OpenAPI document file with @apidevtools/swagger-parser (an implementation nobody here wrote):
// the OpenAPI schema of its version, then every $ref resolved. Prints "valid" and exits 0, or prints the errors
// and exits 1. Usage: node validate-openapi.mjs <node_modules folder> <document.json>
import { createRequire } from "node:module";
import path from "node:path";

const [modules, file] = process.argv.slice(2);
if (!modules || !file) {
  console.error("usage: node validate-openapi.mjs <node_modules folder> <document.json>");
  process.exit(2);
}

const require = createRequire(path.join(path.resolve(modules), "noop.js"));
const SwaggerParser = require("@apidevtools/swagger-parser");

try {
  const api = await SwaggerParser.validate(file);
  console.log(`valid: OpenAPI ${api.openapi}, ${Object.keys(api.paths ?? {}).length} paths`);
} catch (error) {
  console.log(`invalid: ${error.message}`);
  if (error.details) {
    console.log(JSON.stringify(error.details, null, 2));
  }
  process.exit(1);
}

// `make client` regenerates src/ from the API's schema (`python -m app.cli openapi`, no server
// needed). tests/test_typescript_client.py generates into a folder of its own (the two variables)
// and fails while the committed src/ differs.
import { defineConfig } from '@hey-api/openapi-ts';

export default defineConfig({
  input: process.env.CLIENT_SCHEMA ?? './var/openapi.json',
  output: {
    path: process.env.CLIENT_OUTPUT ?? './clients/typescript/src',
    // Imports inside src/ carry their `.js` extension, as NodeNext resolution (tsconfig.json)
    // and Node itself want; bundlers accept them too.
    module: { extension: '.js' },
    // A relative path here would be read from the generator's own folder: the option above says
    // what this tsconfig would have told it.
    tsConfigPath: null,
  },
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
  // Errors go to the terminal, not to a log file left in the working directory.
  logs: { file: false },
});

// `npm run graph-emulator -- [--port 4100] [--host 127.0.0.1] [--file state.json]`: the Graph emulator on
// its own, for manual tests and the offline demo. A bearer token `dev:<mailbox>` selects the mailbox.
import { parseArgs } from 'node:util';
import { startGraphEmulator } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4100' },
    host: { type: 'string', default: '127.0.0.1' },
    file: { type: 'string' },
  },
});
const emulator = await startGraphEmulator({
  port: Number(values.port),
  host: values.host,
  ...(values.file && { file: values.file }),
});
console.log(
  `Graph emulator on ${emulator.url}/v1.0 (token "dev:<mailbox>")${values.file ? `, state in ${values.file}` : ''}`,
);
const stop = () => void emulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
